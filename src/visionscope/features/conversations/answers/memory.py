"""Conversation memory: what earlier answers leave behind, and how a follow-up resolves against it. Pure.

Each answer leaves a `Turn`: its topic words and the moments it cited (`Focus`). "For how long?"
measures the last answer's moments; "what comes right after that?" looks after them; "and before
that?" asks the same of the moment the previous question was relative to; "how many machines
will it be tested on?" searches near the last answer's moment with its topic words added.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .questions import Form, Question

_RELATIVE = (Form.AFTER, Form.BEFORE)
#: Forms that, asked with no topic of their own ("how many?", "for how long?"), continue the last answer.
_ELLIPTICAL = (
    *_RELATIVE,
    Form.SPAN,
    Form.COLOUR,
    Form.LOOKUP,
    Form.SCENE,
    Form.QUANTITY,
    Form.WHEN,
    Form.EXISTS,
)


@dataclass(frozen=True, slots=True)
class Focus:
    """A moment an answer pointed at."""

    video_id: uuid.UUID
    start: float
    end: float
    source: str
    scene: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "video_id": str(self.video_id),
            "start": self.start,
            "end": self.end,
            "source": self.source,
            "scene": self.scene,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Focus:
        scene = data.get("scene")
        return cls(
            video_id=uuid.UUID(str(data["video_id"])),
            start=float(data["start"]),
            end=float(data["end"]),
            source=str(data.get("source", "")),
            scene=None if scene is None else int(scene),
        )


@dataclass(frozen=True, slots=True)
class Turn:
    """What one answered question leaves for the next ones."""

    form: str
    words: tuple[str, ...]
    focus: tuple[Focus, ...]
    referent: Focus | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "form": self.form,
            "words": list(self.words),
            "focus": [f.to_dict() for f in self.focus],
            "referent": self.referent.to_dict() if self.referent else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Turn:
        referent = data.get("referent")
        return cls(
            form=str(data.get("form", "")),
            words=tuple(str(w) for w in data.get("words", ())),
            focus=tuple(Focus.from_dict(f) for f in data.get("focus", ())),
            referent=Focus.from_dict(referent) if referent else None,
        )


@dataclass(frozen=True, slots=True)
class Plan:
    """A question with what the conversation so far adds to it."""

    question: Question
    words: tuple[str, ...]
    """The topic words the evidence must hold."""
    context: tuple[str, ...] = ()
    """Words of the earlier topic to search with (a follow-up's "it")."""
    referent: Focus | None = None
    """The moment a follow-up is about."""
    previous: Turn | None = None

    @property
    def form(self) -> Form:
        return self.question.form


def _last_with_focus(history: Sequence[Turn]) -> Turn | None:
    for turn in reversed(history):
        if turn.focus:
            return turn
    return None


def plan(question: Question, history: Sequence[Turn]) -> Plan:
    """Resolve a question against the earlier turns of its conversation (oldest first)."""
    previous = _last_with_focus(history)
    words = question.terms
    if previous is None:
        return Plan(question, words)
    own_anchor = question.time is not None or question.scene is not None
    elliptical = not words and not own_anchor
    wants_referent = question.refers_back or (elliptical and question.form in _ELLIPTICAL)
    if not wants_referent:
        return Plan(question, words, previous=previous)
    referent = previous.focus[0]
    if question.form in _RELATIVE and previous.referent is not None and previous.form != question.form:
        referent = previous.referent  # "what comes after that?" ... "and before that?": the same "that"
    context = previous.words if question.form not in _RELATIVE else ()
    return Plan(question, words, context=context, referent=referent, previous=previous)
