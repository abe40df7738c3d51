"""A "what is said about" question whose topic is only on screen where speech was found: the
answer quotes what is said there instead of failing (it once raised IndexError, a 500 over HTTP)."""

from __future__ import annotations

import pytest
from conversation_support import Shot, subject

from visionscope.analysis import Embedder
from visionscope.features.conversations.answers.engine import AnswerEngine
from visionscope.features.conversations.answers.knowledge import Subject
from visionscope.features.conversations.answers.memory import Turn

PLANET = (
    Shot(8.0, (("red", 0.9),), ("Mars Today",), "Mars is the fourth planet from the sun."),
    Shot(
        9.0,
        (("blue", 0.9),),
        ("Temperature", "Average Minus 63 Degrees"),
        "Nights are bitterly cold, and the air is mostly carbon dioxide.",
    ),
    Shot(8.0, (("orange", 0.9),), ("Dust Storms",), "Storms can cover the whole planet for weeks."),
)


@pytest.fixture(scope="module")
def planet(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Subject:
    return subject(tmp_path_factory.mktemp("planet"), "planet.mp4", PLANET, embedder)


async def test_what_is_said_about_a_topic_only_shown_quotes_the_speech_of_its_moment(
    engine: AnswerEngine, planet: Subject
) -> None:
    answer = await engine.answer("What is said about the temperature?", [planet], [])
    assert answer.grounded, answer.content
    assert "carbon dioxide" in answer.content.lower(), answer.content
    assert answer.citations and all(8.0 <= c.start < 17.0 for c in answer.citations), answer.citations


async def test_a_follow_up_after_it_is_answered_or_refused_without_citations(
    engine: AnswerEngine, planet: Subject
) -> None:
    history: list[Turn] = []
    first = await engine.answer("What is said about the temperature?", [planet], history)
    history.append(first.turn)
    second = await engine.answer("And what is the air made of?", [planet], history)
    assert second.grounded or not second.citations, second
