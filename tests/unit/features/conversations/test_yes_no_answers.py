"""Yes-or-no answers from a model, without a model: the verdict is read again on the cited lines,
in a prompt of its own, and the answer stands on those lines' words; a built-in answer with no
verdict gets the one read on its lines."""

from __future__ import annotations

import uuid

from conversation_support import ScriptedWriter

from visionscope.features.conversations.answers.engine import AnswerEngine
from visionscope.features.conversations.answers.knowledge import Passage, Subject
from visionscope.features.conversations.answers.prompt import NOT_IN_VIDEO
from visionscope.features.conversations.answers.questions import read_question
from visionscope.features.conversations.answers.reading import read_check
from visionscope.features.conversations.answers.verify import verify
from visionscope.features.conversations.answers.writers import Outcome, Retract, written
from visionscope.features.conversations.answers.yes_no import on_topic, stated_answer, verdict_of

VIDEO = uuid.UUID(int=9)
TOAST = Passage(
    VIDEO, "transcript", 20.0, 26.0, "Stir the rice for about three minutes until the grains turn glassy."
)
TIP = Passage(VIDEO, "text", 48.0, 56.0, "Never Rinse the Rice", 6)
STARCH = Passage(VIDEO, "transcript", 48.5, 52.0, "The starch is what makes the dish so creamy.")
EVIDENCE = (TOAST, TIP, STARCH)
WASHED = "Should the rice be washed before cooking?"


async def _ask(writer: ScriptedWriter, question: str = WASHED) -> list[object]:
    return [item async for item in written(writer, question, EVIDENCE, asked=read_question(question))]


def _final(items: list[object]) -> Outcome:
    outcome = items[-1]
    assert isinstance(outcome, Outcome)
    return outcome


def test_the_verdict_is_the_first_word_of_a_reply_or_of_a_close_reading() -> None:
    assert verdict_of("No, the grains should not be washed [3].") == "no"
    assert verdict_of("The grains are never rinsed [2].") is None
    assert read_check(" No.") == "no" and read_check("Yes") == "yes"
    assert read_check("Unclear") is None and read_check("The lines do not say.") is None


def test_a_stated_answer_quotes_each_line_with_its_time() -> None:
    assert stated_answer("no", [TIP, STARCH]) == (
        'No. The screen shows "Never Rinse the Rice" [00:48]. '
        'The video says: "The starch is what makes the dish so creamy" [00:48].'
    )


async def test_a_verdict_the_close_reading_confirms_stands_on_the_words_of_the_lines_it_read() -> None:
    # The restated question ("washed", "cooking") is not in the evidence: alone, it would be rejected.
    writer = ScriptedWriter("No, the rice should not be washed before cooking [3].", readings=["No."])
    items = await _ask(writer)
    outcome = _final(items)
    assert outcome.verdict is not None and outcome.verdict.accepted and outcome.attempts == 1
    assert (
        outcome.verdict.content.startswith("No. ")
        and '"Never Rinse the Rice" [00:48]' in outcome.verdict.content
    )
    assert set(outcome.verdict.citations) == {TIP, STARCH}
    # The close reading: asked aside, with only the cited line and what is on screen with it.
    assert writer.aside == [False, True]
    check = writer.seen[1][-1]["content"]
    assert "Never Rinse the Rice" in check and "starch" in check and "glassy" not in check
    assert WASHED in check
    # What was streamed of the restated reply is withdrawn for the answer that stands.
    assert any(isinstance(i, Retract) for i in items)
    streamed = "".join(
        i for i in items[[isinstance(i, Retract) for i in items].index(True) :] if isinstance(i, str)
    )
    assert streamed == outcome.verdict.content


async def test_a_verdict_the_close_reading_contradicts_gives_way_to_the_reading() -> None:
    # Given the whole video, a small model answers "Yes" to most questions; reading the few
    # lines it cited, it sees "Never Rinse the Rice" as a No, and that verdict stands.
    writer = ScriptedWriter("Yes, the rice should be washed before cooking [3].", readings=["No"])
    outcome = _final(await _ask(writer))
    assert outcome.verdict is not None and outcome.verdict.accepted and outcome.attempts == 1
    assert outcome.verdict.content.startswith("No. ") and "Never Rinse the Rice" in outcome.verdict.content
    assert set(outcome.verdict.citations) == {TIP, STARCH}


async def test_a_close_reading_that_finds_no_answer_rejects_the_verdict() -> None:
    writer = ScriptedWriter(
        "Yes, the grains should be washed [1].",
        "Yes, the grains should be washed [1].",
        readings=["Unclear", "Unclear"],
    )
    outcome = _final(await _ask(writer))
    assert outcome.verdict is not None and not outcome.verdict.accepted
    assert any("neither yes nor no" in p for p in outcome.verdict.problems)


async def test_a_verdict_read_from_lines_about_something_else_is_rejected() -> None:
    question = "Does it work with Android phones?"
    writer = ScriptedWriter("No, it does not work with Android phones [1].", NOT_IN_VIDEO, readings=["No"])
    outcome = _final(await _ask(writer, question))
    assert outcome.verdict is not None and not outcome.verdict.accepted and outcome.attempts == 2
    assert "about something else" in writer.seen[2][-1]["content"]


async def test_a_reply_that_is_not_a_yes_or_no_is_not_read_again() -> None:
    writer = ScriptedWriter("The rice is never rinsed [2].")
    outcome = _final(await _ask(writer))
    assert outcome.verdict is not None and outcome.verdict.accepted and writer.aside == [False]


async def test_a_follow_up_is_read_again_with_the_question_before_it() -> None:
    writer = ScriptedWriter("No, you should not rinse it [2].", readings=["No"])
    history = [("What should I do with the rice?", "Stir it for about three minutes [00:20].")]
    question = "Should I rinse it first?"
    items = [
        item async for item in written(writer, question, EVIDENCE, history, asked=read_question(question))
    ]
    assert _final(items).verdict is not None
    assert "What should I do with the rice?" in writer.seen[1][-1]["content"]


async def test_a_built_in_answer_to_a_yes_or_no_question_leads_with_the_verdict_read_on_its_lines(
    engine: AnswerEngine, briefing: Subject
) -> None:
    question = "Will the new warehouse in Denver open in September?"
    without = await engine.answer(question, [briefing], [])
    assert without.engine == "builtin" and not without.content.lower().startswith(("yes", "no"))
    # The model declines, then reads the built-in lines.
    writer = ScriptedWriter(NOT_IN_VIDEO, readings=["Yes."])
    with_model = AnswerEngine(engine.knowledge, engine._embedder, writer)
    answer = await with_model.answer(question, [briefing], [])
    assert answer.engine == "llm" and answer.content == f"Yes. {without.content}", answer
    assert answer.citations == without.citations and writer.aside == [False, True]
    assert "September" in writer.seen[1][-1]["content"] and question in writer.seen[1][-1]["content"]
    for reading in ("Unclear", "No"):  # "No" is read in lines that do not answer, too
        other = AnswerEngine(
            engine.knowledge, engine._embedder, ScriptedWriter(NOT_IN_VIDEO, readings=[reading])
        )
        assert await other.answer(question, [briefing], []) == without


def test_words_for_the_same_thing_in_british_and_american_english_are_on_topic() -> None:
    lift = Passage(
        VIDEO, "transcript", 17.2, 21.5, "In case of fire, leave by the nearest exit and do not use the lift."
    )
    asked = "If there's a blaze, can I take the elevator?"
    assert on_topic(asked, [lift])
    assert verify("No, do not use the elevator [1].", (lift,), read_question(asked)).accepted
    assert not on_topic("Can I park on the pavement?", [lift])
