"""Checking a model's answer against the evidence it was given. Pure.

An answer stands only if every citation names evidence it was given, it cites at least one,
every number, time, name and quoted phrase in it appears in the evidence it cites (a sentence's
own citations, or the answer's when the sentence has none), and each sentence shares at least
half of its words with that evidence (same stem, close form or synonym). Numbers count as the same however
they are written: "2.4" = "two point four", "4000" = "four thousand" = "4,000", "20%" = "twenty
percent". The model's "[n]" marks become "[mm:ss]" marks and the passages they cite.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .demands import kind_missing
from .knowledge import VIDEO, Passage
from .numbers import UNITS, replace_number_words
from .prompt import NOT_IN_VIDEO
from .questions import Form, Question
from .replies import TITLES, declines, lone_answer, tidy, with_marks_before_stop
from .terms import content_words, literally_in, normalize, stem
from .timecodes import mark
from .wordlists import FILLER, STOP_WORDS

_NUMBER_MARK = re.compile(r"\[\s*(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\s*\]")
_OTHER_MARK = re.compile(r"\[[^\]]*\]")
_SENTENCE = re.compile(rf"(?<=[.!?]){TITLES}\s+(?=[A-Z0-9\"'])")
_DIGIT_WORD = "|".join(w for w, v in UNITS.items() if v < 10)
_POINT = re.compile(rf"\s+point((?:\s+(?:{_DIGIT_WORD}|oh))+)\b")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_SCALED = re.compile(r"(\d+(?:\.\d+)?)\s*(thousand|million|billion|k\b|m\b|bn\b)")
_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "k": 1e3, "m": 1e6, "bn": 1e9}
_QUOTED = re.compile(r"[\"\u201c]([^\"\u201d]{3,}?)[\"\u201d]")
_NAME = re.compile(r"\b[A-Z][\w'-]*[A-Za-z]\w*|\b[A-Z]{2,}\b")
#: Capitalised words a sentence may use that need no evidence.
_FREE_NAMES = frozenset({"i", "video", "scene", "chapter", "screen", "text", "narrator", "speaker"})
_CLOCK = re.compile(r"(?<![\d:])(\d{1,3}):([0-5]\d)(?![\d:])")
#: An ordinal in digits ("12th"): a number claim, its ending no word.
_ORDINAL = re.compile(r"\b(\d+)(?:st|nd|rd|th)\b", re.IGNORECASE)
#: The share of a sentence's words (not counting function words) its cited evidence must hold.
SHARED_WORDS = 0.5
#: Fewer words than this is a fragment ("Tomato Soup"), not an answer.
MIN_WORDS = 3
_YES_NO = frozenset({"yes", "no"})
#: Words about the evidence, not the video ("The evidence shows that ..."): not claims.
_EVIDENCE_WORDS = frozenset({"evidence", "according", "indicates", "indicate", "indicating"})
_DIGITS = {w: str(v) for w, v in UNITS.items() if v < 10} | {"oh": "0"}


@dataclass(frozen=True, slots=True)
class Verdict:
    """The checked answer: its text with "[mm:ss]" marks, the passages it cites, and what is wrong."""

    content: str
    citations: tuple[Passage, ...]
    declined: bool
    problems: tuple[str, ...]

    @property
    def accepted(self) -> bool:
        return not self.declined and not self.problems and bool(self.citations)


def _digits(text: str) -> str:
    low = normalize(text)
    low = _POINT.sub(lambda m: "." + "".join(_DIGITS[w] for w in m[1].split()), low)
    low = re.sub(r"([a-z]+)\.(\d)", r"\1 .\2", low)
    low = replace_number_words(low)
    return re.sub(r"(\d+) \.(\d+)", r"\1.\2", low)


def number_claims(text: str) -> list[set[float]]:
    """The numbers a text states, each as the values it may mean ("2.4 million": 2.4 or 2400000)."""
    low = _digits(text)
    claims: list[set[float]] = []
    for m in re.finditer(r"(\d+(?:\.\d+)?)(?:\s*(thousand|million|billion|k\b|m\b|bn\b))?", low):
        value = float(m[1])
        claims.append({value, value * _SCALE[m[2]]} if m[2] else {value})
    return claims


def numbers_in(text: str) -> set[float]:
    """Every value a text's numbers may mean, however written."""
    low = _digits(text)
    found = {float(n) for n in _NUMBER.findall(low)}
    for value, scale in _SCALED.findall(low):
        found.add(float(value) * _SCALE[scale])
    for value, scale in re.findall(r"(\d+(?:\.\d+)?) (1000|1000000|1000000000)\b", low):
        found.add(float(value) * float(scale))
    return found


def _number_held(values: set[float], held: set[float]) -> bool:
    return any(abs(v - h) <= 1e-6 * max(1.0, abs(h)) for v in values for h in held)


def _plain(text: str) -> str:
    return " ".join(re.findall(r"\w+", replace_number_words(normalize(text))))


def _times_held(seconds: int, cited: Sequence[Passage]) -> bool:
    return any(p.start - 1.0 <= seconds <= p.end + 1.0 for p in cited)


def _units_held(sentence: str, held_stems: set[str]) -> bool:
    """Whether the word after each number of `sentence` (its unit: "18 minutes") is held."""
    units = [m[1] for m in re.finditer(r"\d+(?:\.\d+)?\s+([a-z]+)", _digits(sentence))]
    return all(unit in STOP_WORDS or literally_in(unit, held_stems) for unit in units)


def claims_missing(
    sentence: str,
    cited: Sequence[Passage],
    *,
    counting: bool = False,
    confirming: bool = False,
    asked: str = "",
    topics: frozenset[str] = frozenset(),
) -> list[str]:
    """The numbers, times, names and quoted phrases of `sentence` that the `cited` passages lack,
    and too few shared words. An answer may restate the question `asked` ("Yes, the recipe calls
    for wine"): then the words it adds must be in the evidence ("wine"), and an answer that adds
    none must have the question's words there ("Yes, the air is mostly oxygen" needs "oxygen");
    numbers and names always need evidence, but for the video's `topics` (names in many of its
    passages: "the average temperature on Mars" cites "Average Minus 63 Degrees"). `counting` (a
    "how many" question): a sentence stating a number the evidence holds may say the rest in the
    question's words ("the recipe feeds four people"); so may one `confirming` a yes-or-no
    question's number when the evidence holds the number with its unit ("Yes, the broth goes in
    for 18 minutes" citing "... stock slowly for eighteen minutes")."""
    text = " ".join(p.text for p in cited)
    held_numbers = numbers_in(text)
    held_plain = f" {_plain(text)} "
    held_stems = {stem(w) for w in held_plain.split()}
    question_stems = {stem(w) for w in _plain(asked).split()}
    missing: list[str] = []
    bare = _OTHER_MARK.sub(" ", sentence)
    for quote in _QUOTED.findall(bare):
        if f" {_plain(quote)} " not in held_plain:
            missing.append(f'"{quote}"')
    for m in _CLOCK.finditer(bare):
        if not _times_held(int(m[1]) * 60 + int(m[2]), cited):
            missing.append(m[0])
    claims = number_claims(_without_named_numbers(_CLOCK.sub(" ", bare), topics))
    for values in claims:
        if not _number_held(values, held_numbers):
            missing.append(f"{min(values):g}")
    said = [
        w
        for w in content_words(_ORDINAL.sub(r"\1", bare))
        if not w.isdigit()
        and w not in FILLER
        and w not in _YES_NO
        and w not in _EVIDENCE_WORDS
        and w not in topics
    ]
    added = [w for w in said if not literally_in(w, question_stems)]
    if added:  # what the answer adds to the question must be in the evidence
        said = added
    held_words = sum(literally_in(w, held_stems) for w in said)
    counted = (counting or (confirming and _units_held(bare, held_stems))) and bool(claims) and not missing
    if len(_OTHER_MARK.sub(" ", bare).split()) < MIN_WORDS:
        missing.append("a sentence, not a fragment")
    elif said and held_words < SHARED_WORDS * len(said) and not counted:
        missing.append(f"words the cited evidence does not hold ({held_words} of {len(said)} held)")
    first = re.match(r"\W*(\w+)", bare)
    for m in _NAME.finditer(bare):
        word = m[0]
        low = word.lower()
        if (
            (first and m.start() == first.start(1))
            or low in STOP_WORDS
            or low in _FREE_NAMES
            or low in topics
        ):
            continue
        parts = [stem(p) for p in re.findall(r"[a-z]+", low)]
        if parts and not all(p in held_stems for p in parts):
            missing.append(word)
    return missing


def unquoted_paraphrases(sentence: str, cited: Sequence[Passage]) -> str:
    """The sentence with quotation marks taken off quotes that the cited passages hold in other
    words, every word and number of them (the title and line "Water Resistant / Down to 50
    Metres" quoted as "It is water resistant down to 50 metres"): a paraphrase, checked as one,
    and never shown as the video's own words."""
    text = " ".join(p.text for p in cited)
    held_plain = f" {_plain(text)} "
    held_stems = {stem(w) for w in held_plain.split()}
    held_numbers = numbers_in(text)

    def unquote(m: re.Match[str]) -> str:
        quote = m[1]
        if f" {_plain(quote)} " in held_plain:
            return m[0]
        words = [w for w in content_words(quote) if not w.isdigit()]
        numbers_held = all(_number_held(v, held_numbers) for v in number_claims(quote))
        return quote if words and numbers_held and all(literally_in(w, held_stems) for w in words) else m[0]

    return _QUOTED.sub(unquote, sentence)


#: A name in this many pieces of evidence is a topic of the video: a sentence may name it when
#: what it cites does not. A name of the opening scene (the title card and what is said over it)
#: is one in half as many.
TOPIC_PASSAGES = 3
#: "aurora 2", "aurora watch 2" (in digits, lower case): a name with a number, maybe a word between.
_NAMED_NUMBER = re.compile(r"\b(?=([a-z]+) (?:([a-z]+) )?(\d+)\b)")


def topics_of(evidence: Sequence[Passage]) -> frozenset[str]:
    """Names (capitalised words) found in at least `TOPIC_PASSAGES` pieces of evidence, or in two
    when one is of the opening scene, lower case; and the topics with the number that names them,
    in two pieces ("aurora 2" from "Aurora Watch 2" and "the Aurora two"): a sentence may say "the
    Aurora 2" citing what it weighs."""
    counts: dict[str, int] = {}
    opening: set[str] = set()
    for passage in evidence:
        names = {m[0].lower() for m in _NAME.finditer(passage.text)}
        if passage.scene == 0 and passage.source != VIDEO:
            opening |= names
        for name in names:
            counts[name] = counts.get(name, 0) + 1
    names = {
        name
        for name, n in counts.items()
        if name not in STOP_WORDS and (n >= TOPIC_PASSAGES or (n >= 2 and name in opening))
    }
    numbered: dict[str, int] = {}
    for passage in evidence:
        for found in {
            f"{m[1]} {m[3]}"
            for m in _NAMED_NUMBER.finditer(_digits(passage.text))
            if m[1] in names and (m[2] is None or m[2] not in STOP_WORDS)
        }:
            numbered[found] = numbered.get(found, 0) + 1
    # in two pieces at least: "Aurora Watch 2" and "the Aurora two", not the score "Riverside 3"
    return frozenset(names | {found for found, n in numbered.items() if n >= 2})


def _without_named_numbers(text: str, topics: frozenset[str]) -> str:
    """`text` in digits with the numbers that are part of a topic's name taken out ("the aurora 2
    weighs 32 grams" -> "the aurora weighs 32 grams")."""
    low = _digits(text)
    for topic in topics:
        name, _, number = topic.partition(" ")
        if number:
            low = re.sub(rf"\b({re.escape(name)} (?:[a-z]+ )?){number}\b", r"\1", low)
    return low


def at_same_moment(cited: Sequence[Passage], evidence: Sequence[Passage]) -> list[Passage]:
    """The cited passages and the evidence said or shown at the same time in the same video: a
    citation of the title "Denver Warehouse" stands for the sentence said over it too."""
    support = list(cited)
    for passage in evidence:
        if passage.source == VIDEO or passage in support:
            continue
        if any(
            c.video_id == passage.video_id and c.source != VIDEO and passage.overlaps(c.start, c.end)
            for c in cited
        ):
            support.append(passage)
    return support


def _best_support(
    sentence: str,
    evidence: Sequence[Passage],
    asked: str = "",
    topics: frozenset[str] = frozenset(),
    *,
    counting: bool = False,
    confirming: bool = False,
) -> Passage | None:
    """For a sentence the model did not cite: the piece of evidence whose moment holds all of it
    and most of its words (checked as `claims_missing` checks a cited one)."""
    said = [w for w in content_words(_OTHER_MARK.sub(" ", sentence)) if not w.isdigit() and w not in FILLER]
    best: tuple[int, Passage] | None = None
    for passage in evidence:
        if passage.source == VIDEO or claims_missing(
            sentence,
            at_same_moment([passage], evidence),
            asked=asked,
            topics=topics,
            counting=counting,
            confirming=confirming,
        ):
            continue
        stems = {stem(w) for w in _plain(passage.text).split()}
        shared = sum(literally_in(w, stems) for w in said)
        if best is None or shared > best[0]:
            best = (shared, passage)
    return best[1] if best else None


def _cite(sentence: str, number: int) -> str:
    """The sentence with a mark of evidence `number` before its closing punctuation."""
    return with_marks_before_stop(sentence, f"[{number}]")


_MARK_AFTER_STOP = re.compile(r"([.!?])((?:\s*\[\s*\d{1,3}(?:\s*[,;]\s*\d{1,3})*\s*\])+)")


def verify(text: str, evidence: Sequence[Passage], question: Question | None = None) -> Verdict:
    """Check a model's reply against the numbered `evidence` it was given (and, with the
    `question`, that what it cites holds the kind of thing asked for: an address, a price...)."""
    if NOT_IN_VIDEO.lower() in text.lower() or not text.strip() or declines(text):
        return Verdict("", (), True, ())
    # "September. [5]": the mark is the sentence's
    text = _MARK_AFTER_STOP.sub(r"\2\1", tidy(text, evidence))
    problems: list[str] = []
    per_sentence: list[tuple[str, list[Passage]]] = []
    for sentence in _SENTENCE.split(text):
        own: list[Passage] = []
        for group in _NUMBER_MARK.findall(sentence):
            for number in re.findall(r"\d+", group):
                n = int(number)
                if not 1 <= n <= len(evidence):
                    problems.append(f"[{n}] is not a piece of evidence")
                elif evidence[n - 1] not in own:
                    own.append(evidence[n - 1])
        per_sentence.append((sentence, own))
    answer_cites = list(dict.fromkeys(p for _, own in per_sentence for p in own))
    asked = question.text if question else ""
    topics = topics_of(evidence)
    counting = question is not None and (
        question.form is Form.QUANTITY or question.asks_for in ("number", "amount", "percentage", "duration")
    )
    confirming = question is not None and question.yes_no
    checked: list[tuple[str, list[Passage]]] = []
    for sentence, own in per_sentence:
        if lone_answer(sentence):
            checked.append((sentence, own))
            continue
        support = own or answer_cites
        if support:
            sentence = unquoted_paraphrases(sentence, at_same_moment(support, evidence))
        missing = (
            claims_missing(
                sentence,
                at_same_moment(support, evidence),
                counting=counting,
                confirming=confirming,
                asked=asked,
                topics=topics,
            )
            if support
            else ["no citation"]
        )
        if missing:  # the claims may stand on another piece of evidence than the one named
            better = _best_support(
                sentence, evidence, asked, topics, counting=counting, confirming=confirming
            )
            if better is not None:
                sentence, own = _cite(_NUMBER_MARK.sub("", sentence), evidence.index(better) + 1), [better]
                missing = []
        if missing:
            problems.append(f"not in the cited evidence: {', '.join(missing)}")
        checked.append((sentence, own))
    if checked and all(lone_answer(sentence) for sentence, _ in checked):
        problems.append("a bare yes or no: give the fact from the evidence it stands on")
    cited = list(dict.fromkeys(p for _, own in checked for p in own)) or answer_cites
    if not cited:
        problems.append("no evidence is cited")
    text = " ".join(sentence for sentence, _ in checked)
    lacking = (
        kind_missing(question, " ".join(p.text for p in at_same_moment(cited, evidence)))
        if question and cited
        else None
    )
    if lacking:
        problems.append(f"the cited evidence holds no {lacking}, which the question asks for")
    return Verdict(with_marks(text, evidence), tuple(cited), False, tuple(problems))


def with_marks(text: str, evidence: Sequence[Passage], *, strip: bool = True) -> str:
    """The reply with "[n]" as "[mm:ss]" (nothing for a fact of the whole video), other brackets dropped."""

    def as_marks(m: re.Match[str]) -> str:
        marks = []
        for number in re.findall(r"\d+", m[1]):
            n = int(number)
            if 1 <= n <= len(evidence) and evidence[n - 1].source != VIDEO:
                marks.append(mark(evidence[n - 1].start))
        return "".join(dict.fromkeys(marks))

    content = _NUMBER_MARK.sub(as_marks, text)
    content = re.sub(r"(\[[\d:]+\])(?:\s*\1)+", r"\1", content)  # "[00:29] [00:29]"
    content = re.sub(r"(\[[\d:]+\])\s*([.!?])[.!?]+(?!\.)", r"\1\2", content)  # "[00:17].."
    content = re.sub(r"\s+([.,;:!?])", r"\1", re.sub(r"[ \t]+", " ", content))
    return content.strip() if strip else content.lstrip()


def retry_note(verdict: Verdict) -> str:
    """What a second attempt is told about the first."""
    reasons = "; ".join(verdict.problems) or "it cited nothing"
    return (
        f"Your previous answer was rejected ({reasons}). Answer again in one sentence using the "
        f"words and numbers of the evidence, and put the number of the evidence line that says it "
        f"in square brackets, like [3]. If no line answers the question, reply {NOT_IN_VIDEO}."
    )
