"""Which path answers a question: the built-in engine, exact on structural questions (what is
said or shown when, before or after a moment, scenes, length, colours) and on questions in the
video's words, or the language model, for questions in people's own words. Pure."""

from __future__ import annotations

import re

from .memory import Plan
from .questions import Form

#: Questions about the video itself, which the built-in engine answers from the analysis exactly:
#: the model is asked only when it finds nothing.
BUILTIN_FIRST = frozenset(
    {
        Form.WHEN,
        Form.AT_TIME,
        Form.SCENE,
        Form.SCENE_COUNT,
        Form.DURATION,
        Form.SPAN,
        Form.COLOUR,
        Form.SUMMARY,
        Form.CHAPTERS,
        Form.ALL_TEXT,
        Form.ALL_SPEECH,
        Form.AFTER,
        Form.BEFORE,
    }
)


#: A "when" question about the video's own timeline ("When is the river road mentioned?", "At
#: what point does the price appear?"), not about when something happens in the world ("When
#: will I find it in a shop?": a date the video gives, which the model reads better).
_WHEN_IN_VIDEO = re.compile(
    r"\b(say|says|said|mention|mentions|mentioned|talk|talks|talked|speak|speaks|discuss|discussed|"
    r"show|shows|shown|showing|appear|appears|appeared|come up|comes up|displayed|heard|seen|on screen|"
    r"video|clip|recording|film|scene|shot|slide|part|point|moment|minute|second|timestamps?|"
    r"narrator|presenter|speaker|host|chef|teacher|reporter)\b",
    re.IGNORECASE,
)


def asks_when_in_the_world(plan_: Plan) -> bool:
    """A "when" question about the world ("When do orders open?"), not the video's timeline."""
    question = plan_.question
    return question.form is Form.WHEN and not _WHEN_IN_VIDEO.search(question.text)


#: A colour question about the picture ("What colour is the background while the wine goes in?",
#: "the dominant colour of the first scene"), not about a thing the video names ("Are the exit
#: signs red?", "Does it only come in black?": what the video says or shows in words).
_COLOUR_OF_THE_PICTURE = re.compile(
    r"\b(background|scenes?|shots?|slides?|frames?|pictures?|images?|screen|video|clip|footage|"
    r"dominant|dominates|mostly|main|opening|closing|first|last|when|while|during|at|brightest|"
    r"darkest|brightness|tint|hue|palette)\b",
    re.IGNORECASE,
)


def asks_colour_of_a_thing(plan_: Plan) -> bool:
    """A colour question about something the video names, not the colours of its picture."""
    question = plan_.question
    return (
        question.form is Form.COLOUR
        and question.scene is None
        and question.time is None
        and not _COLOUR_OF_THE_PICTURE.search(question.text)
    )


def asks_model(plan_: Plan, builtin_grounded: bool, has_evidence: bool) -> bool:
    """Whether the model is asked: first for questions about what the video says and shows (its
    checked answer is taken over the built-in one, which matches words: docs/answers.md); for
    questions about the video itself (`BUILTIN_FIRST`) when the built-in engine found no answer,
    and for "how long will it take?" about an earlier moment (the duration the video states, not
    the time on screen); "when" questions about the world and colours of things the video
    names first too; never for small talk."""
    if not has_evidence or plan_.question.form is Form.SMALL_TALK:
        return False
    if (
        plan_.question.form not in BUILTIN_FIRST
        or asks_when_in_the_world(plan_)
        or asks_colour_of_a_thing(plan_)
    ):
        return True
    return not builtin_grounded or asks_stated_length(plan_)


def asks_stated_length(plan_: Plan) -> bool:
    """ "How long will it take?" about an earlier moment, not about the video or a scene."""
    question = plan_.question
    about_before = question.refers_back or plan_.referent is not None
    own_anchor = question.time is not None or question.scene is not None
    return question.form in (Form.DURATION, Form.SPAN) and about_before and not own_anchor
