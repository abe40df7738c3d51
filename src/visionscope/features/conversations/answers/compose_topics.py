"""Answers about a topic: when it comes up, what is said about it, the passage that answers a
question about it, whether it is there at all, and numbers about it. Pure: moments in, draft out."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .knowledge import TEXT, TRANSCRIPT, Passage, VideoFacts
from .memory import Focus, Plan
from .numbers import spell
from .phrasing import DURATION
from .questions import Channel
from .retrieval import ANSWER_KINDS, Moment
from .terms import coverage, literally_in, stem, vocabulary, words
from .timecodes import clock
from .writing import (
    Draft,
    Writer,
    asks_what_the_video_holds,
    capital,
    join,
    not_found,
    quoted,
    refusal,
    span_words,
)


@dataclass(frozen=True)
class Evidence:
    """What the engine found for a question: the videos' facts and the moments of its topic."""

    videos: tuple[VideoFacts, ...]
    moments: tuple[Moment, ...] = ()
    referent: Focus | None = None


def cited(
    moment: Moment, words_: Sequence[str], channel: Channel, *, dates: bool = False, kind: str | None = None
) -> list[Passage]:
    """The passages of a moment worth quoting: one a source, the one holding most of the topic
    (with `dates`, of those holding as much, one that names a date or day: "when will ...?")."""
    chosen: dict[str, Passage] = {}
    ranked: list[tuple[float, bool, int, Passage]] = []
    for place, passage in enumerate(moment.passages):
        if passage.source not in (TRANSCRIPT, TEXT):
            continue
        held = coverage(words_, vocabulary([passage.text]))
        if held.literal or not words_:
            dated = dates and bool(ANSWER_KINDS["date"].search(passage.text))
            ranked.append((-held.literal_share, not dated, place, passage))
    for *_, passage in sorted(ranked, key=lambda r: r[:3]):
        chosen.setdefault(passage.source, passage)
    if not chosen:
        chosen[moment.passages[0].source] = moment.passages[0]
    order = {Channel.SAID: (TRANSCRIPT, TEXT), Channel.SHOWN: (TEXT, TRANSCRIPT)}.get(channel)
    if order is None:
        found = sorted(chosen.values(), key=lambda p: p.start)
    else:
        found = sorted(chosen.values(), key=lambda p: order.index(p.source) if p.source in order else 9)
    pattern = ANSWER_KINDS.get(kind or "")
    if pattern is not None and not any(pattern.search(p.text) for p in found):
        holding = [p for p in moment.passages if p.source in (TRANSCRIPT, TEXT) and pattern.search(p.text)]
        found.extend(holding[:1])  # "the launch date": the passage that holds the date
    return found


def _parts(writer: Writer, passages: Sequence[Passage]) -> str:
    parts = []
    for passage in passages:
        if passage.source == TEXT:
            parts.append(f"shown on screen as {writer.quote([passage])}")
        else:
            parts.append(f"said at {clock(passage.start)}: {writer.quote([passage])}")
    return join(parts)


def _subject(plan: Plan) -> str:
    phrase = plan.question.phrase or "It"
    return capital(phrase)


def _plural(phrase: str) -> bool:
    last = phrase.split()[-1].lower() if phrase.split() else ""
    return last.endswith("s") and not last.endswith(("ss", "us", "is"))


def supported(evidence: Evidence) -> list[Moment]:
    return [m for m in evidence.moments if m.supported]


def _by_channel(found: list[Moment], channel: Channel) -> tuple[list[Moment], bool]:
    """Moments that hold the topic where the question looks (said or shown); else all, flagged."""
    if channel is Channel.ANY:
        return found, True
    source = TRANSCRIPT if channel is Channel.SAID else TEXT
    matching = [m for m in found if any(p.source == source for p in m.passages)]
    return (matching, True) if matching else (found, False)


def when(plan: Plan, evidence: Evidence) -> Draft:
    found = supported(evidence)
    question = plan.question
    if not found:
        return not_found(question)
    found, as_asked = _by_channel(found, question.channel)
    moments = sorted(found[:5], key=lambda m: (str(m.video_id), m.start))
    writer = Writer(evidence.videos)
    subject = _subject(plan)
    plural = _plural(subject)
    lead = ""
    if not as_asked:
        missing = "said aloud" if question.channel is Channel.SAID else "shown on screen"
        lead = f"{subject} {'are' if plural else 'is'} not {missing}, but "
        subject = "they" if plural else "it"
    verb = "come up" if plural else "comes up"
    if len(moments) == 1:
        m = moments[0]
        where = writer.where(m.video_id)
        body = _parts(writer, cited(m, plan.words, question.channel, dates=True))
        text = f"{lead}{where}{subject} {verb} {span_words(m.start, m.end)}: {body}."
    else:
        pieces = []
        for m in moments:
            where = writer.where(m.video_id)
            pieces.append(
                f"{where}at {clock(m.start)}, "
                f"{_parts(writer, cited(m, plan.words, question.channel, dates=True))}"
            )
        text = f"{lead}{subject} {verb} {len(moments)} times: " + "; ".join(pieces) + "."
    return writer.done(capital(text), words=plan.words)


def said_about(plan: Plan, evidence: Evidence) -> Draft:
    found = supported(evidence)
    if not found:
        return not_found(
            plan.question, f"anything about {plan.question.phrase}" if plan.question.phrase else ""
        )
    writer = Writer(evidence.videos)
    spoken = [m for m in found if any(p.source == TRANSCRIPT for p in m.passages)]
    topic = plan.question.phrase or "that"
    if spoken:
        lines = []
        for m in sorted(spoken[:3], key=lambda m: (str(m.video_id), m.start)):
            said = [p for p in cited(m, plan.words, Channel.SAID) if p.source == TRANSCRIPT] or [
                p for p in m.passages if p.source == TRANSCRIPT
            ][:1]
            lines.append(f"{writer.where(m.video_id)}at {clock(said[0].start)}: {writer.quote(said)}")
        return writer.done(f"About {topic}, the video says " + "; ".join(lines) + ".", words=plan.words)
    m = found[0]
    shown = [p for p in cited(m, plan.words, Channel.SHOWN) if p.source == TEXT] or list(m.passages[:1])
    return writer.done(
        f"Nothing about {topic} is said aloud, but {writer.where(m.video_id)}the screen shows "
        f"{writer.quote(shown)} {span_words(m.start, m.end)}.",
        words=plan.words,
    )


def lookup(plan: Plan, evidence: Evidence) -> Draft:
    found = supported(evidence)
    if not found:
        return not_found(plan.question)
    writer = Writer(evidence.videos)
    best = found[0]
    sentences = [_moment_sentence(writer, best, plan)]
    for other in found[1:3]:
        if other.coverage.literal_share >= best.coverage.literal_share and abs(other.start - best.start) > 1:
            sentences.append("It also comes up " + _moment_sentence(writer, other, plan, lead=False))
    return writer.done(" ".join(sentences), words=plan.words)


def _moment_sentence(writer: Writer, moment: Moment, plan: Plan, *, lead: bool = True) -> str:
    parts = []
    for passage in cited(moment, plan.words, plan.question.channel, kind=plan.question.asks_for):
        if passage.source == TRANSCRIPT:
            parts.append(f"the video says {writer.quote([passage])}")
        else:
            parts.append(f"the screen shows {writer.quote([passage])}")
    at = f"at {clock(moment.start)}"
    where = writer.where(moment.video_id)
    return capital(f"{where}{at}, " if lead else f"{at}: ") + join(parts) + "."


def exists(plan: Plan, evidence: Evidence) -> Draft:
    found = supported(evidence)
    if not found:
        return not_found(plan.question)
    if not asks_what_the_video_holds(plan.question):
        # "Is a day there shorter than ours?": finding the topic is no verdict; what the video
        # says about it is the answer, to be read.
        return lookup(plan, evidence)
    answer = when(plan, evidence)
    return Draft("Yes. " + answer.content, True, answer.citations, answer.words)


_TIMES = frozenset({"time", "times", "occasion", "occasions"})
_PERCENT = re.compile(r"\b(percent|percentage|per cent|how much|by how much|share|proportion)\b")


_TIME_UNITS = frozenset(
    "second seconds minute minutes hour hours day days week weeks month months year years".split()  # noqa: SIM905
)


@dataclass(frozen=True, slots=True)
class _Number:
    value: str
    passage: Passage
    distance: int
    unit: str
    """ "percent", a unit of time ("minutes"), or ""."""


def _numbers_in(passage: Passage, counted: str | None, asked: set[str]) -> list[_Number]:
    tokens = words(passage.text)
    counted_at = [i for i, t in enumerate(tokens) if counted and literally_in(t, {stem(counted)})]
    found = []
    for i, token in enumerate(tokens):
        if not re.fullmatch(r"\d+(\.\d+)?", token) or token in asked:
            continue
        distance = min((abs(i - j) + (0 if j > i else 1) for j in counted_at), default=99)
        after = tokens[i + 1] if i + 1 < len(tokens) else ""
        unit = after if after == "percent" or after in _TIME_UNITS else ""
        found.append(_Number(token, passage, distance, unit))
    return found


def _figure(value: str, unit: str) -> str:
    unit = f" {unit}" if unit else ""
    if value.isdigit() and int(value) < 10**12:
        return f"{value}{unit} ({spell(int(value))}{unit})"
    return value + unit


def quantity(plan: Plan, evidence: Evidence) -> Draft:
    question = plan.question
    counted = question.counted
    found = supported(evidence)
    if counted and counted.lower() in _TIMES:
        return _occurrences(plan, evidence, found)
    if not found:
        return not_found(question, "that number")
    asked = set(words(question.text))
    candidates: list[_Number] = []
    for moment in found[:3]:
        for passage in moment.passages:
            candidates.extend(_numbers_in(passage, counted, asked))
    if counted:
        candidates = [c for c in candidates if c.distance <= 3]
    if question.asks_for == DURATION:
        candidates = [c for c in candidates if c.unit in _TIME_UNITS]
    elif _PERCENT.search(question.text.lower()) and any(c.unit == "percent" for c in candidates):
        candidates = [c for c in candidates if c.unit == "percent"]
    if not candidates:
        return refusal("The video does not give that number.", question)
    best = min(candidates, key=lambda c: c.distance)
    writer = Writer(evidence.videos)
    noun = f" {counted}" if counted and best.unit not in _TIME_UNITS and counted != best.unit else ""
    same = [c.passage for c in candidates if c.value == best.value and c.passage != best.passage]
    quotes = [best.passage, *same[:1]]
    where = writer.where(best.passage.video_id)
    text = f"{where}{_figure(best.value, best.unit)}{noun}: " + join(
        [f"{'said' if p.source == TRANSCRIPT else 'shown on screen'} {writer.quote([p])}" for p in quotes]
    )
    return writer.done(capital(text) + ".", words=plan.words)


def _occurrences(plan: Plan, evidence: Evidence, found: list[Moment]) -> Draft:
    topic = plan.question.phrase or "it"
    if not found:
        return not_found(plan.question)
    writer = Writer(evidence.videos)
    said = sorted(
        {p for m in found for p in cited(m, plan.words, Channel.SAID) if p.source == TRANSCRIPT},
        key=lambda p: p.start,
    )
    shown = sorted(
        {p for m in found for p in cited(m, plan.words, Channel.SHOWN) if p.source == TEXT},
        key=lambda p: p.start,
    )
    parts = []
    for verb, found_here in (("said", said), ("shown on screen", shown)):
        if found_here:
            times = f"{len(found_here)} time{'s' if len(found_here) != 1 else ''}"
            quotes = join([f"{quoted(p.text)} {writer.cite(p)}" for p in found_here])
            parts.append(f"{verb} {times} ({quotes})")
    return writer.done(capital(f"{topic} is " + join(parts) + "."), words=plan.words)
