"""Which path answers a question: the built-in engine, exact on structural questions, or the
language model, for questions in people's own words. Pure."""

from __future__ import annotations

from .memory import Plan
from .questions import Form

#: Forms the built-in engine answers exactly from the analysis (counts, times, scenes, colours,
#: summaries): when it answers one, the model is not asked.
STRUCTURAL_FORMS = frozenset(
    {
        Form.AT_TIME,
        Form.SCENE,
        Form.SCENE_COUNT,
        Form.DURATION,
        Form.SPAN,
        Form.COLOUR,
        Form.SUMMARY,
        Form.CHAPTERS,
        Form.AFTER,
        Form.BEFORE,
        Form.ALL_TEXT,
        Form.ALL_SPEECH,
    }
)


def asks_model(plan_: Plan, builtin_grounded: bool, has_evidence: bool) -> bool:
    """Whether the model is asked: not for small talk, nor for a structural question the built-in
    engine answered, except "how long will it take?" about an earlier moment (the duration the
    video states, not screen time)."""
    question = plan_.question
    if not has_evidence or question.form is Form.SMALL_TALK:
        return False
    if question.form in STRUCTURAL_FORMS and builtin_grounded:
        asks_stated_length = question.form in (Form.DURATION, Form.SPAN) and (
            question.refers_back or plan_.referent is not None
        )
        return asks_stated_length and question.time is None and question.scene is None
    return True
