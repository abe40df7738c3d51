"""Which path answers a question: the built-in engine, exact on structural questions and on
questions in the video's words, or the language model, for questions in people's own words. Pure."""

from __future__ import annotations

from .memory import Plan
from .questions import Form


def asks_model(plan_: Plan, builtin_grounded: bool, has_evidence: bool) -> bool:
    """Whether the model is asked: when the built-in engine found no answer (a question in other
    words than the video's), and for "how long will it take?" about an earlier moment (the duration
    the video states, not the time on screen); never for small talk.

    Measured on questions with known answers (docs/answers.md): when the built-in engine answers,
    its answer was right as often as the model's or more (the model dropped a name it quoted), and
    asking the model as well only cost seconds."""
    question = plan_.question
    if not has_evidence or question.form is Form.SMALL_TALK:
        return False
    if not builtin_grounded:
        return True
    asks_stated_length = question.form in (Form.DURATION, Form.SPAN) and (
        question.refers_back or plan_.referent is not None
    )
    return asks_stated_length and question.time is None and question.scene is None
