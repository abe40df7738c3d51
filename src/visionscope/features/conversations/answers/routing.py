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
    if not has_evidence or plan_.question.form is Form.SMALL_TALK:
        return False
    return not builtin_grounded or asks_stated_length(plan_)


def asks_stated_length(plan_: Plan) -> bool:
    """ "How long will it take?" about an earlier moment, not about the video or a scene."""
    question = plan_.question
    about_before = question.refers_back or plan_.referent is not None
    own_anchor = question.time is not None or question.scene is not None
    return question.form in (Form.DURATION, Form.SPAN) and about_before and not own_anchor
