"""Writing answers: sentences with "[mm:ss]" marks, each mark standing for a citation. Pure."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .knowledge import VIDEO, Passage, SceneFacts, VideoFacts
from .memory import Focus
from .questions import Channel, Question
from .timecodes import clock, mark

QUOTE_LIMIT = 300
#: A yes-or-no question about what the video holds ("Does it mention ...?", "Is there ...?", or one
#: naming what is said or shown): nothing found answers it "No". Other yes-or-no questions are
#: left unanswered.
_ABOUT_THE_VIDEO = re.compile(r"\b(?:video|clip|there|mention\w*|feature\w*)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Draft:
    """An answer before it is stored: its text, whether the video supports it, and its citations."""

    content: str
    grounded: bool
    citations: tuple[Passage, ...] = ()
    words: tuple[str, ...] = ()
    referent: Focus | None = None

    def focus(self) -> tuple[Focus, ...]:
        return tuple(Focus(p.video_id, p.start, p.end, p.source, p.scene) for p in self.citations)


def short(text: str, limit: int = QUOTE_LIMIT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3].rsplit(" ", 1)[0] + "..."


def quoted(text: str) -> str:
    return f'"{short(text)}"'


@dataclass
class Writer:
    """Collects citations as an answer is written; `cite` returns the mark to put in the text."""

    videos: Sequence[VideoFacts]
    citations: list[Passage] = field(default_factory=list)

    def cite(self, passage: Passage) -> str:
        if passage not in self.citations:
            self.citations.append(passage)
        return "" if passage.source == VIDEO else mark(passage.start)

    def quote(self, passages: Sequence[Passage]) -> str:
        """ "a" and "b" [00:36]: quotes of passages that start together share one mark."""
        parts: list[str] = []
        group: list[Passage] = []
        for passage in passages:
            if group and abs(passage.start - group[0].start) >= 1.0:
                parts.append(self._group(group))
                group = []
            group.append(passage)
        if group:
            parts.append(self._group(group))
        return join(parts)

    def _group(self, group: list[Passage]) -> str:
        marks = [self.cite(p) for p in group]
        return join([quoted(p.text) for p in group]) + f" {marks[0]}"

    def where(self, video_id: object) -> str:
        """ "In "name", " when the answer draws on several videos."""
        if len(self.videos) < 2:
            return ""
        name = next((v.name for v in self.videos if v.video_id == video_id), "")
        return f'In "{name}", ' if name else ""

    def done(self, content: str, **more: object) -> Draft:
        return Draft(" ".join(content.split()), True, tuple(self.citations), **more)  # type: ignore[arg-type]


def join(parts: Sequence[str], word: str = "and") -> str:
    parts = [p for p in parts if p]
    if len(parts) <= 2:
        return f" {word} ".join(parts)
    return ", ".join(parts[:-1]) + f", {word} " + parts[-1]


def capital(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def span_words(start: float, end: float) -> str:
    return f"from {clock(start)} to {clock(end)}"


def colours_in_words(scene: SceneFacts) -> str:
    colours = [(name, share) for name, share in scene.colours if share >= 0.05]
    if not colours:
        return "of no clear colour"
    top, share = colours[0]
    if share >= 0.5:
        rest = [name for name, s in colours[1:] if s >= 0.1]
        extra = f", with some {join(rest)}" if rest else ""
        return f"mostly {top} ({share:.0%}){extra}"
    return "a mix of " + join([f"{name} ({s:.0%})" for name, s in colours[:4]])


def look_in_words(scene: SceneFacts) -> str:
    light = "dark" if scene.brightness < 0.3 else "bright" if scene.brightness > 0.7 else "medium-bright"
    motion = (
        "still"
        if scene.motion < 0.05
        else "with a lot of motion"
        if scene.motion > 0.4
        else "with some motion"
    )
    return f"{colours_in_words(scene)}, {light} and {motion}"


def asks_what_the_video_holds(question: Question) -> bool:
    """A yes-or-no question answered by whether the video says or shows something ("Is there a
    dog in it?", "Does it mention prices?"), not by what it says ("Should I stir it?")."""
    return question.yes_no and (
        question.channel is not Channel.ANY or bool(_ABOUT_THE_VIDEO.search(question.text))
    )


def not_found(question: Question, what: str = "") -> Draft:
    """The answer when the video holds nothing that supports one: says so, cites nothing."""
    subject = what or (f"anything about {question.phrase}" if question.phrase else "that")
    if question.channel is Channel.SAID:
        sentence = f"The video does not say {subject}."
    elif question.channel is Channel.SHOWN:
        sentence = f"The video does not show {subject}."
    else:
        sentence = f"The video does not say or show {subject}."
    if asks_what_the_video_holds(question):
        sentence = "No. " + sentence  # "Is there a dog in it?": no; "Should I stir it?": not said
    if question.foreign:
        sentence += (
            " (I answer from what the video says and shows, and I read questions in English: "
            "please ask in English.)"
        )
    else:
        sentence += " I found nothing in its speech, on-screen text or pictures that supports an answer."
    return Draft(sentence, False, words=question.terms)


def refusal(sentence: str, question: Question) -> Draft:
    """An ungrounded answer with a sentence of its own."""
    return Draft(sentence, False, words=question.terms)


def pieces_of(content: str, words_per_piece: int = 3) -> list[str]:
    """A text cut into small pieces for streaming; joined they give the text back."""
    tokens = content.split(" ")
    return [
        " ".join(tokens[i : i + words_per_piece]) + (" " if i + words_per_piece < len(tokens) else "")
        for i in range(0, len(tokens), words_per_piece)
    ]
