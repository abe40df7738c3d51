"""An answer to a question that is not yes-or-no, read again by the model on only the lines it
cites: it stands when the reading finds they answer the question, and is rejected and asked
again when it finds they do not. Without a model: the replies and readings are scripted."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence

from conversation_support import ScriptedWriter

from visionscope.features.conversations.answers.knowledge import Passage
from visionscope.features.conversations.answers.prompt import NOT_IN_VIDEO
from visionscope.features.conversations.answers.questions import read_question
from visionscope.features.conversations.answers.reading import ANSWERS_INSTRUCTION
from visionscope.features.conversations.answers.writers import Outcome, Retract, written

VIDEO = uuid.UUID(int=11)
DRILL = Passage(VIDEO, "transcript", 20.0, 25.0, "In a fire, leave by the nearest exit.")
POINT = Passage(VIDEO, "text", 26.0, 34.0, "Assembly Point: Car Park C", 4)
GATHER = Passage(VIDEO, "transcript", 26.5, 31.0, "Then gather with your team and wait to be counted.")
HELMETS = Passage(VIDEO, "text", 40.0, 46.0, "Hard Hats On at All Times", 5)
EVIDENCE = (DRILL, POINT, GATHER, HELMETS)
CANTEEN = "Where is the staff canteen?"
INVENTED = "The staff canteen is located in Car Park C [2]."


async def _ask(writer: object, question: str) -> list[object]:
    return [item async for item in written(writer, question, EVIDENCE, asked=read_question(question))]  # type: ignore[arg-type]


def _final(items: list[object]) -> Outcome:
    outcome = items[-1]
    assert isinstance(outcome, Outcome) and outcome.verdict is not None
    return outcome


async def test_an_answer_whose_lines_read_closely_do_not_answer_the_question_is_rejected() -> None:
    writer = ScriptedWriter(INVENTED, NOT_IN_VIDEO, readings=["No."])
    items = await _ask(writer, CANTEEN)
    outcome = _final(items)
    assert outcome.verdict is not None and not outcome.verdict.accepted and outcome.attempts == 2
    assert any(isinstance(i, Retract) for i in items)  # what was streamed is withdrawn
    # The reading: asked aside, with the cited line and what is said with it, nothing else.
    assert writer.aside == [False, True, False]
    check = writer.seen[1][-1]["content"]
    assert ANSWERS_INSTRUCTION in check and CANTEEN in check
    assert "Car Park C" in check and "gather with your team" in check and "Hard Hats" not in check
    assert "does not answer the question" in writer.seen[2][-1]["content"]  # the retry is told why


async def test_an_answer_whose_lines_read_closely_answer_the_question_stands() -> None:
    question = "Where do we meet after leaving the building?"
    for reading in ("Yes", "Unclear", ""):
        writer = ScriptedWriter("We meet at Car Park C [2].", readings=[reading])
        outcome = _final(await _ask(writer, question))
        assert outcome.verdict is not None and outcome.verdict.accepted and outcome.attempts == 1
        assert writer.aside == [False, True]


async def test_a_rejected_answer_is_not_read_again() -> None:
    writer = ScriptedWriter("The canteen is in Building 9 [2].", NOT_IN_VIDEO)
    outcome = _final(await _ask(writer, CANTEEN))
    assert outcome.verdict is not None and not outcome.verdict.accepted and writer.aside == [False, False]


class _ReadingFails(ScriptedWriter):
    async def stream(self, messages: Sequence[dict[str, str]], *, aside: bool = False) -> AsyncIterator[str]:
        if aside:
            raise RuntimeError("the model stopped")
        async for piece in super().stream(messages):
            yield piece


async def test_an_answer_stands_as_checked_when_its_reading_fails() -> None:
    writer = _ReadingFails("We meet at Car Park C [2].")
    outcome = _final(await _ask(writer, "Where do we meet after leaving the building?"))
    assert outcome.verdict is not None and outcome.verdict.accepted
