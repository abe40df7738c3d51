"""Composing an answer from the evidence, by the form of the question. Pure."""

from __future__ import annotations

from collections.abc import Callable

from . import compose_moments, compose_topics, compose_video
from .compose_topics import Evidence
from .memory import Plan
from .questions import Form
from .writing import Draft, refusal

GREETING = (
    "Hello! I answer questions about what this video says and shows, and point at the moments that "
    'support each answer. Try "When is ... mentioned?", "What is on screen at 0:40?" or '
    '"Summarise the video".'
)
UNCLEAR = (
    "I could not find a question about the video in that. Ask, for example, "
    '"When is ... mentioned?", "What is said about ...?" or "What is on screen at 0:40?".'
)

Composer = Callable[[Plan, Evidence], Draft]
COMPOSERS: dict[Form, Composer] = {
    Form.WHEN: compose_topics.when,
    Form.SAID_ABOUT: compose_topics.said_about,
    Form.LOOKUP: compose_topics.lookup,
    Form.EXISTS: compose_topics.exists,
    Form.QUANTITY: compose_topics.quantity,
    Form.AT_TIME: compose_moments.at_time,
    Form.SPAN: compose_moments.span,
    Form.AFTER: compose_moments.relative,
    Form.BEFORE: compose_moments.relative,
    Form.SCENE: compose_video.scene,
    Form.SCENE_COUNT: compose_video.scene_count,
    Form.DURATION: compose_video.duration,
    Form.COLOUR: compose_video.colour,
    Form.SUMMARY: compose_video.summary,
    Form.CHAPTERS: compose_video.chapters,
    Form.ALL_TEXT: compose_video.all_text,
    Form.ALL_SPEECH: compose_video.all_speech,
}


def compose(plan: Plan, evidence: Evidence) -> Draft:
    """The built-in answer to a planned question from the evidence gathered for it."""
    question = plan.question
    if question.form is Form.SMALL_TALK:
        return refusal(GREETING, question)
    if question.form is Form.UNCLEAR:
        return refusal(UNCLEAR, question)
    if not evidence.videos:
        return refusal("There is no analysed video to answer from.", question)
    if question.form is Form.LOOKUP and not plan.words and evidence.referent is not None:
        return compose_moments.about_referent(plan, evidence)
    return COMPOSERS[question.form](plan, evidence)
