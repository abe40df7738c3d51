"""Model answers, without a model: the prompt, the evidence chosen for it, the check of a reply,
the retry and the choice between the model's and the built-in answer."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pytest
from conversation_support import ScriptedWriter

from visionscope.features.conversations.answers.demands import kind_missing
from visionscope.features.conversations.answers.engine import Answer, AnswerEngine
from visionscope.features.conversations.answers.knowledge import Passage, Subject
from visionscope.features.conversations.answers.prompt import NOT_IN_VIDEO, SYSTEM_PROMPT, messages_for
from visionscope.features.conversations.answers.questions import read_question
from visionscope.features.conversations.answers.verify import numbers_in, verify
from visionscope.features.conversations.answers.writers import Outcome, Retract, written

VIDEO = uuid.UUID(int=7)
DENVER = Passage(
    VIDEO, "transcript", 14.5, 18.0, "The new warehouse in Denver will open at the end of September."
)
CALLS = Passage(VIDEO, "text", 29.5, 37.0, "4000 Calls Answered", 4)
SALES = Passage(
    VIDEO, "transcript", 7.0, 10.0, "Sales of electric bicycles increased by twenty percent this spring."
)
LENGTH = Passage(VIDEO, "video", 0.0, 60.0, "The video lasts 60.0 seconds.")
EVIDENCE = (SALES, DENVER, CALLS, LENGTH)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("four thousand calls", {4000.0}),
        ("4,000 calls", {4000.0}),
        ("two point four million", {2.4, 2_400_000.0}),
        ("2.4 million", {2.4, 2_400_000.0}),
        ("twenty percent", {20.0}),
        ("20%", {20.0}),
    ],
)
def test_numbers_are_the_same_however_they_are_written(text: str, expected: set[float]) -> None:
    assert numbers_in(text) == expected


def test_an_answer_citing_its_evidence_with_its_numbers_and_names_stands() -> None:
    verdict = verify("The Denver warehouse opens at the end of September [2].", EVIDENCE)
    assert verdict.accepted, verdict.problems
    assert verdict.citations == (DENVER,) and verdict.content.endswith("September [00:14].")
    spelled = verify("Support answered four thousand calls [3], and sales grew 20% [1].", EVIDENCE)
    assert spelled.accepted, spelled.problems
    assert spelled.citations == (CALLS, SALES)


@pytest.mark.parametrize(
    ("reply", "problem"),
    [
        ("Safety glasses must be worn in the laboratory [2].", "words the cited evidence does not hold"),
        ("The warehouse opens in October [2].", "October"),
        ("The Boston warehouse opens in September [2].", "Boston"),
        ("Support answered 5000 calls [3].", "5000"),
        ('The narrator calls it "a great success" [1].', "a great success"),
        ("The warehouse opens in September [9].", "[9] is not a piece of evidence"),
        ("The warehouse opens in October.", "no evidence is cited"),
        ("It opens at 0:45 [2].", "0:45"),
    ],
)
def test_an_answer_with_anything_its_evidence_does_not_hold_is_rejected(reply: str, problem: str) -> None:
    verdict = verify(reply, EVIDENCE)
    assert not verdict.accepted
    assert any(problem in p for p in verdict.problems), verdict.problems


def test_a_sentence_left_without_a_citation_is_cited_with_the_evidence_that_holds_it() -> None:
    verdict = verify("The Denver warehouse opens in September. Support answered 4000 calls.", EVIDENCE)
    assert verdict.accepted, verdict.problems
    assert verdict.citations == (DENVER, CALLS)
    assert (
        verdict.content
        == "The Denver warehouse opens in September [00:14]. Support answered 4000 calls [00:29]."
    )


def test_a_claim_cited_to_the_wrong_evidence_is_cited_to_the_evidence_that_holds_it() -> None:
    verdict = verify("Support answered 4000 calls [1].", EVIDENCE)  # 4000 is in evidence 3
    assert verdict.accepted, verdict.problems
    assert verdict.citations == (CALLS,) and verdict.content == "Support answered 4000 calls [00:29]."


@pytest.mark.parametrize(
    "reply",
    [
        "Yes. Support answered 4000 calls (at 0:29-0:37).",
        "Yes, support answered 4000 calls at 0:29. I found this information in evidence line [3].",
        "Support answered 4000 calls. [3] supports this.",
        "Support answered 4000 calls (at 3).",  # its number, in the form earlier answers' times take
        "Support answered 4000 calls (at 0:33).",  # a time while the evidence is on screen
        "Support answered 4000 calls. This is stated at 0:29-0:37 in the video.",
        "Yes\nThe evidence shows that support answered 4000 calls [3].",
    ],
)
def test_a_reply_naming_its_evidence_by_time_or_in_a_sentence_of_its_own_stands(reply: str) -> None:
    verdict = verify(reply, EVIDENCE, read_question("Did support answer 4000 calls?"))
    assert verdict.accepted, verdict.problems
    assert verdict.citations == (CALLS,)
    assert "evidence" not in verdict.content and "[00:29]" in verdict.content
    assert "stated" not in verdict.content and re.match(r"(Yes[.,] )?[Ss]upport", verdict.content), (
        verdict.content
    )


@pytest.mark.parametrize(
    "reply",
    [
        "The video does not say or show anything about the oven. I found nothing that supports it.",
        "No. The video does not mention the oven's temperature.",
        "There is no information about the oven.",
    ],
)
def test_a_refusal_in_other_words_than_the_agreed_ones_is_a_refusal(reply: str) -> None:
    assert verify(reply, EVIDENCE).declined


def test_an_answer_may_restate_the_question_but_not_add_to_it() -> None:
    asked = read_question("Does the recipe call for any booze?")
    wine = Passage(
        VIDEO, "transcript", 32.0, 36.0, "Add half a glass of dry white wine and let it bubble away."
    )
    assert verify("Yes, the recipe calls for wine [1].", (wine,), asked).accepted
    assert not verify("Yes, the recipe calls for red wine from Tuscany [1].", (wine,), asked).accepted
    air = Passage(
        VIDEO, "transcript", 54.0, 60.0, "Nights are bitterly cold, and the air is mostly carbon dioxide."
    )
    made_of = read_question("And what is the air made of?")
    assert verify("The air is mostly carbon dioxide [1].", (air,), made_of).accepted
    assert not verify("The air is made of nitrogen and oxygen [1].", (air,), made_of).accepted
    oxygen = read_question("Is the atmosphere mostly oxygen?")
    assert not verify("Yes, the atmosphere is mostly oxygen [1].", (air,), oxygen).accepted


def test_a_yes_confirming_a_number_stands_when_the_evidence_holds_it_with_its_unit() -> None:
    stock = Passage(
        VIDEO, "transcript", 41.3, 45.9, "Keep adding hot stock slowly for eighteen minutes, stirring often."
    )
    asked = read_question("Does the broth go in for 18 minutes?")
    assert verify("Yes. The video shows the broth going in for 18 minutes [1].", (stock,), asked).accepted
    hours = read_question("Does the broth go in for 18 hours?")
    assert not verify("Yes, the broth goes in for 18 hours [1].", (stock,), hours).accepted
    twenty = read_question("Does the broth go in for 20 minutes?")
    assert not verify("Yes, the broth goes in for 20 minutes [1].", (stock,), twenty).accepted


def test_a_negative_answer_in_the_questions_words_is_judged_on_them() -> None:
    lift = Passage(
        VIDEO, "transcript", 17.2, 21.5, "In case of fire, leave by the nearest exit and do not use the lift."
    )
    asked = read_question("If there's a blaze, can I take the elevator?")
    assert verify("No, do not use the lift [1].", (lift,), asked).accepted
    assert not verify("No, I cannot take the stairs [1].", (lift,), asked).accepted


def test_a_scene_named_as_the_built_in_engine_does_stands_on_its_times_not_its_number() -> None:
    shops = Passage(VIDEO, "text", 70.0, 78.5, "In Stores From June 3")
    asked = read_question("What date does it reach the shops?")
    reply = "Scene 23 (from 1:10 to 1:18) shows it will be available in stores from June 3."
    verdict = verify(reply, (shops,), asked)
    assert verdict.accepted, verdict.problems
    assert verdict.content.startswith("The scene") and "23" not in verdict.content
    assert verdict.citations == (shops,)
    wrong = "Scene 23 (from 1:10 to 1:18) shows it is in stores from June 5."
    assert not verify(wrong, (shops,), asked).accepted


@pytest.mark.parametrize("reply", ["Yes [1].", "No. [1]", "Yes."])
def test_a_bare_yes_or_no_is_not_an_answer_the_evidence_can_be_checked_against(reply: str) -> None:
    air = Passage(
        VIDEO, "transcript", 54.0, 60.0, "Nights are bitterly cold, and the air is mostly carbon dioxide."
    )
    verdict = verify(reply, (air,), read_question("Is the atmosphere mostly oxygen?"))
    assert not verdict.accepted
    assert any("yes or no" in p for p in verdict.problems), verdict.problems
    assert verify("No, it is mostly carbon dioxide [1].", (air,)).accepted


def test_words_about_the_evidence_are_not_claims_about_the_video() -> None:
    toast = Passage(
        VIDEO, "transcript", 24.0, 32.0, "Stir the rice for about three minutes until it is glassy."
    )
    asked = read_question("Is the rice stirred for about 3 minutes?")
    verdict = verify("Yes. The evidence shows that the rice is stirred for about 3 minutes.", (toast,), asked)
    assert verdict.accepted, verdict.problems
    assert not verify(
        "Yes. The evidence shows that the rice is stirred for 5 minutes.", (toast,), asked
    ).accepted


def test_an_ordinal_is_a_number_the_evidence_may_hold_in_digits() -> None:
    goal = Passage(VIDEO, "text", 17.0, 26.0, "First Goal / Minute 12, Marco Silva", 2)
    asked = read_question("In which minute did Silva score?")
    assert verify("Silva scored in the 12th minute [1].", (goal,), asked).accepted
    assert not verify("Silva scored in the 13th minute [1].", (goal,), asked).accepted


def test_a_quote_in_other_words_than_the_evidence_is_a_paraphrase_not_a_quote() -> None:
    depth = Passage(VIDEO, "text", 34.0, 43.0, "Water Resistant / Down to 50 Metres", 4)
    asked = read_question("How deep is it rated for?")
    verdict = verify('The video says: "It is water resistant down to 50 metres" [1].', (depth,), asked)
    assert verdict.accepted, verdict.problems
    assert '"' not in verdict.content and "water resistant down to 50 metres" in verdict.content
    for wrong in ('"It is waterproof down to 50 metres"', '"It is water resistant down to 80 metres"'):
        assert not verify(f"The video says: {wrong} [1].", (depth,), asked).accepted


def test_a_title_does_not_end_a_sentence() -> None:
    heir = Passage(
        VIDEO, "transcript", 4.0, 12.0, "Mr. John Dashwood considered what he could afford to do for them."
    )
    asked = read_question("Who is weighing up how much he could afford to do for them?")
    verdict = verify("Mr. John Dashwood is weighing up what he could afford [1].", (heir,), asked)
    assert verdict.accepted, verdict.problems


def test_a_citation_stands_for_what_is_said_and_shown_at_the_same_moment() -> None:
    title = Passage(VIDEO, "text", 14.0, 21.0, "Denver Warehouse", 2)
    verdict = verify("The new Denver site opens at the end of September. [1]", (title, DENVER))
    assert verdict.accepted, verdict.problems
    assert verdict.content == "The new Denver site opens at the end of September [00:14]."


def test_a_declined_answer_is_a_refusal_not_a_failure() -> None:
    verdict = verify(f"{NOT_IN_VIDEO}.", EVIDENCE)
    assert verdict.declined and not verdict.accepted and verdict.citations == ()


def test_a_fact_of_the_whole_video_is_cited_without_a_time_mark() -> None:
    verdict = verify("The video lasts 60 seconds [4].", EVIDENCE)
    assert verdict.accepted and verdict.content == "The video lasts 60 seconds."


def test_the_prompt_starts_with_the_same_instruction_then_history_evidence_and_question() -> None:
    first = messages_for("When does the Denver site open?", EVIDENCE)
    later = messages_for(
        "And how many calls?", EVIDENCE[:2], [("When does the Denver site open?", "In September [00:14].")]
    )
    assert first[0] == later[0] == {"role": "system", "content": SYSTEM_PROMPT}
    assert [m["role"] for m in later] == ["system", "user", "assistant", "user"]
    assert later[2]["content"] == "In September."
    question = first[-1]["content"]
    assert question.splitlines()[1].startswith("[1] said at 0:07-0:10: Sales of electric")
    assert "[3] on screen at 0:29-0:37: 4000 Calls Answered" in question
    assert "[4] fact: The video lasts 60.0 seconds." in question
    assert question.endswith("Question: When does the Denver site open?")


def test_the_model_is_not_shown_earlier_refusals() -> None:
    refused = "The video does not say or show anything about the budget. I found nothing in its speech."
    history = [
        ("When does the Denver site open?", "In September [00:14]."),
        ("What is the budget?", refused),
    ]
    messages = messages_for("Who won the derby?", EVIDENCE, history)
    shown = [m["content"] for m in messages[1:3]]
    assert shown == ["Question: When does the Denver site open?", "In September."]
    assert len(messages) == 4 and all(refused not in m["content"] for m in messages)


def cite(word: str, sentence: str) -> Callable[[str], str]:
    """A reply citing the first evidence line that holds `word`."""

    def reply(prompt: str) -> str:
        number = next(m[1] for m in re.finditer(r"^\[(\d+)\] (.*)$", prompt, re.MULTILINE) if word in m[2])
        return f"{sentence} [{number}]."

    return reply


async def _items(writer: ScriptedWriter) -> list[object]:
    return [item async for item in written(writer, "When does the Denver site open?", EVIDENCE)]


async def test_a_good_answer_streams_its_text_with_time_marks_and_ends_with_its_verdict() -> None:
    items = await _items(ScriptedWriter("It opens at the end of September [2]."))
    text = "".join(i for i in items if isinstance(i, str))
    assert text == "It opens at the end of September [00:14]."
    outcome = items[-1]
    assert isinstance(outcome, Outcome) and outcome.verdict is not None and outcome.verdict.accepted


async def test_a_rejected_answer_is_withdrawn_and_asked_again_once_with_the_reason() -> None:
    writer = ScriptedWriter("It opens in October [2].", "It opens in September [2].")
    items = await _items(writer)
    assert any(isinstance(i, Retract) for i in items)
    after = items[[isinstance(i, Retract) for i in items].index(True) + 1 :]
    assert "".join(i for i in after if isinstance(i, str)) == "It opens in September [00:14]."
    assert "October" in writer.seen[1][-1]["content"] and writer.seen[0][:-1] == writer.seen[1][:-1]
    outcome = items[-1]
    assert isinstance(outcome, Outcome) and outcome.attempts == 2 and outcome.verdict is not None
    assert outcome.verdict.accepted


async def test_a_refusal_is_never_streamed_and_not_retried() -> None:
    writer = ScriptedWriter(NOT_IN_VIDEO, "unused")
    items = await _items(writer)
    assert [type(i) for i in items] == [Outcome] and len(writer.seen) == 1


async def test_two_rejected_answers_leave_the_answer_to_the_built_in_engine_or_a_refusal(
    engine: AnswerEngine, briefing: Subject
) -> None:
    model_engine = AnswerEngine(engine.knowledge, engine._embedder, ScriptedWriter("x"))
    invented = cite("Denver", "The Denver site opens in October")
    model_engine.model = ScriptedWriter(invented, invented)
    answer = await model_engine.answer("When does the Denver warehouse open?", [briefing], [])
    assert answer.engine == "builtin" and answer.grounded and "September" in answer.content
    model_engine.model = ScriptedWriter(invented, invented)
    refused = await model_engine.answer("Who won the football match?", [briefing], [])
    assert not refused.grounded and refused.citations == ()


async def test_a_paraphrase_the_built_in_engine_refuses_is_answered_by_the_model(
    engine: AnswerEngine, briefing: Subject
) -> None:
    builtin = await engine.answer("What do staff need to put on in the lab?", [briefing], [])
    writer = ScriptedWriter(cite("glasses", "Safety glasses must be worn in the laboratory"))
    model_engine = AnswerEngine(engine.knowledge, engine._embedder, writer)
    streamed = [
        i async for i in model_engine.stream("What do staff need to put on in the lab?", [briefing], [])
    ]
    answer = streamed[-1]
    assert isinstance(answer, Answer) and answer.engine == "llm" and answer.grounded, (builtin, answer)
    assert "glasses" in answer.citations[0].quote.lower()
    system, question = writer.seen[0][0]["content"], writer.seen[0][-1]["content"]
    assert "glasses" in system.lower() and question == "Question: What do staff need to put on in the lab?"


async def test_when_something_happens_in_the_world_is_asked_of_the_model_first(
    engine: AnswerEngine, briefing: Subject
) -> None:
    writer = ScriptedWriter(cite("Denver", "It opens at the end of September"))
    model_engine = AnswerEngine(engine.knowledge, engine._embedder, writer)
    answer = await model_engine.answer("When does the Denver warehouse open?", [briefing], [])
    assert answer.engine == "llm" and "September" in answer.content
    asked = len(writer.seen)
    # When the video shows or says something is its own timeline: the built-in engine's.
    answer = await model_engine.answer("When is the Denver warehouse mentioned?", [briefing], [])
    assert answer.engine == "builtin" and answer.grounded and len(writer.seen) == asked


async def test_the_colour_of_a_thing_the_video_names_is_asked_of_the_model_first(
    engine: AnswerEngine, briefing: Subject
) -> None:
    writer = ScriptedWriter(cite("truck", "a red truck"))
    model_engine = AnswerEngine(engine.knowledge, engine._embedder, writer)
    answer = await model_engine.answer("What colour is the truck?", [briefing], [])
    assert answer.engine == "llm" and "red" in answer.content, answer
    asked = len(writer.seen)
    # The colours of the picture are the analysis's: the built-in engine's.
    answer = await model_engine.answer(
        "What colour is the background while the truck is shown?", [briefing], []
    )
    assert answer.engine == "builtin" and len(writer.seen) == asked


async def test_structural_questions_stay_with_the_built_in_engine(
    engine: AnswerEngine, briefing: Subject
) -> None:
    writer = ScriptedWriter()
    model_engine = AnswerEngine(engine.knowledge, engine._embedder, writer)
    for question in ("How many scenes are there?", "What is the dominant colour of the last scene?"):
        answer = await model_engine.answer(question, [briefing], [])
        assert answer.engine == "builtin" and answer.grounded
    assert writer.seen == []
    # What comes before or after a moment: the order of scenes is the analysis's, exactly.
    first = await model_engine.answer("When is the red truck shown?", [briefing], [])
    history = [("When is the red truck shown?", first.content)]
    for question in ("What is shown right after that?", "And before that?"):
        answer = await model_engine.answer(question, [briefing], [first.turn], history)
        assert answer.engine == "builtin" and answer.grounded, answer
    assert writer.seen == []


@pytest.mark.parametrize(
    ("question", "cited", "lacking"),
    [
        ("What is the address of the Denver warehouse?", "Denver Warehouse. Opening September 30", "address"),
        ("What is the address of the office?", "The office is at 12 Harbour Street", None),
        ("What is the address of the warehouse?", "Opening September 30 with 12 staff", "address"),
        ("What is the price of the electric bicycles?", "Sales rose by twenty percent", "amount of money"),
        ("How much does the base model cost?", "It costs four hundred ninety nine dollars", None),
        ("How many people joined the office?", "New employees joined in May", "number"),
        ("How many people joined the office?", "Thirty new employees joined", None),
        ("What month does the warehouse open?", "The warehouse opens soon", "month"),
        (
            "What's the name of the Harbor City defender who got sent off?",
            "Harbor Defender Sent Off. A Harbor defender was sent off for a second yellow card",
            "name",
        ),
        ("What are the two moons of Mars called?", "Mars has two moons, Phobos and Deimos", None),
        ("What is the name of the new tram line?", "The Green Line Tram opens April 12", None),
    ],
)
def test_what_a_question_asks_for_must_be_in_what_the_answer_cites(
    question: str, cited: str, lacking: str | None
) -> None:
    assert kind_missing(read_question(question), cited) == lacking
    passage = Passage(VIDEO, "transcript", 1.0, 3.0, cited)
    verdict = verify(f"{cited} [1].", (passage,), read_question(question))
    assert verdict.accepted == (lacking is None), verdict.problems


async def test_how_long_will_it_take_after_a_moment_is_the_length_the_video_states(
    engine: AnswerEngine, kitchen: Subject
) -> None:
    first = await engine.answer("When does the soup simmer?", [kitchen], [])
    writer = ScriptedWriter(cite("simmer gently", "It simmers for thirty minutes"), NOT_IN_VIDEO)
    model_engine = AnswerEngine(engine.knowledge, engine._embedder, writer)
    history = [("When does the soup simmer?", first.content)]
    stated = await model_engine.answer("How long will it take?", [kitchen], [first.turn], history)
    assert stated.engine == "llm" and stated.grounded and "thirty minutes" in stated.content
    assert "seconds" not in writer.seen[0][-1]["content"]  # not the video's length
    assert writer.seen[0][1] == {"role": "user", "content": "Question: When does the soup simmer?"}
    declined = await model_engine.answer("How long will it take?", [kitchen], [first.turn], history)
    assert not declined.grounded and "31" not in declined.content


async def test_questions_about_what_the_video_says_go_to_the_model_first(
    engine: AnswerEngine, briefing: Subject
) -> None:
    question = "What is said about the Denver warehouse?"
    builtin = await engine.answer(question, [briefing], [])
    assert builtin.grounded  # the built-in engine has an answer, and yet the model writes it
    writer = ScriptedWriter(cite("warehouse", "The warehouse in Denver opens in September"))
    answer = await AnswerEngine(engine.knowledge, engine._embedder, writer).answer(question, [briefing], [])
    assert writer.seen and answer.engine == "llm" and answer.grounded


def test_a_name_the_video_is_about_may_be_named_where_the_cited_line_does_not() -> None:
    lines = (
        Passage(VIDEO, "transcript", 0.0, 8.0, "In this lesson we explore Mars, the fourth planet."),
        Passage(VIDEO, "transcript", 8.0, 16.0, "Mars is a small rocky world."),
        Passage(VIDEO, "transcript", 16.0, 24.0, "Mars has two small moons."),
        Passage(VIDEO, "text", 53.0, 62.0, "Average Minus 63 Degrees", 6),
        Passage(VIDEO, "transcript", 70.0, 76.0, "Rovers landed near Jezero."),
    )
    asked = read_question("What's the average temperature there?")
    assert verify("The average temperature on Mars is minus 63 degrees [4].", lines, asked).accepted
    named_once = verify("The average temperature at Jezero is minus 63 degrees [4].", lines, asked)
    assert not named_once.accepted and any("Jezero" in p for p in named_once.problems)
