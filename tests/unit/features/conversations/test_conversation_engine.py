"""The built-in engine on videos of known content: question sets with what a right answer holds.

An expectation is checked the way the acceptance check does: `contains` (any of, case-insensitive),
`time` (the first citation overlaps the interval), `grounded: False` (says the video does not show
it, cites nothing). Every citation of every answer must be backed by the video's analysis.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from visionscope.features.conversations.answers.citations import backing
from visionscope.features.conversations.answers.engine import Answer, AnswerEngine
from visionscope.features.conversations.answers.knowledge import Subject
from visionscope.features.conversations.answers.memory import Turn

Expect = dict[str, Any]

BRIEFING_QUESTIONS: list[tuple[str, Expect]] = [
    ("At what point is the new warehouse in Denver discussed?", {"time": (14.5, 21.0)}),
    ("What is said about the laboratory?", {"contains": ["safety glasses"], "time": (21.0, 29.0)}),
    ("What is on screen at 0:50?", {"contains": ["Software Update Test"]}),
    ("What is shown at 10 seconds?", {"contains": ["Electric Bicycle Sales"]}),
    ("What does the narrator say at 0:38?", {"contains": ["main entrance"]}),
    ("How many shots does the video have?", {"contains": ["8 scenes"]}),
    ("What's the length of the clip?", {"contains": ["60 seconds", "1:00"]}),
    ("Which colour is the third scene?", {"contains": ["red"]}),
    ("What color dominates the last scene?", {"contains": ["orange"]}),
    ("When is the screen purple?", {"time": (44.0, 52.0)}),
    ("Is the first scene blue?", {"contains": ["yes"]}),
    ("How many machines will the update be tested on?", {"contains": ["50", "fifty"]}),
    ("By how much did bicycle sales grow?", {"contains": ["20", "twenty"], "time": (7.0, 14.5)}),
    ("Does the video mention Denver?", {"contains": ["yes"], "time": (14.5, 21.0)}),
    ("What colour is the truck?", {"contains": ["red"], "time": (36.5, 44.0)}),
    (
        "What colour is the background when customer support comes up?",
        {"contains": ["green"], "time": (29.0, 36.5)},
    ),
    ("What is said at 0:28?", {"contains": ["remember"], "time": (21.0, 29.0)}),
    ("When does the warehouse open?", {"contains": ["september"], "time": (14.5, 21.0)}),
    ("What month does the Denver warehouse open?", {"contains": ["september"]}),
    ("Which region is the meeting about?", {"contains": ["northern"]}),
    ("When are e-bikes discussed?", {"time": (7.0, 14.5)}),
    ("What happens in the middle of the video?", {"contains": ["customer support", "laboratory"]}),
    ("Summarise the video", {"contains": ["warehouse"]}),
    ("What are the chapters?", {"contains": ["Denver Warehouse"]}),
    ("What comes after the Denver warehouse?", {"contains": ["Laboratory Safety"]}),
    ("What is shown before the parking lot?", {"contains": ["Customer Support"]}),
    ("Describe the second scene", {"contains": ["Electric Bicycle Sales"]}),
    ("How long does the fourth scene last?", {"contains": ["8 seconds"]}),
    ("What number is shown on the customer support slide?", {"contains": ["4000"]}),
    ("What camera number is shown?", {"contains": ["Camera 7"]}),
    ("How does the video end?", {"contains": ["Thank You For Watching"]}),
    ("What's the first thing the narrator says?", {"contains": ["welcome"]}),
    ("What is the main topic of the video?", {"contains": ["planning"]}),
    ("Which slide mentions safety?", {"time": (21.0, 29.0)}),
    ("How many calls were answered last month?", {"contains": ["4000", "four thousand"]}),
    ("Is there anything about a swimming pool?", {"grounded": False}),
    ("Is the warehouse opening in October?", {"grounded": False}),
    ("Is the warehouse opening on Monday?", {"grounded": False}),
    ("When is the Boston warehouse mentioned?", {"grounded": False}),
    ("Who is speaking?", {"grounded": False}),
    ("What is the CEO's name?", {"grounded": False}),
    ("What is the address of the Denver warehouse?", {"grounded": False}),
    ("How much do the electric bicycles cost?", {"grounded": False}),
    ("Is the red truck parked at the back door?", {"grounded": False}),
    ("What colour is the warehouse roof?", {"grounded": False}),
    ("What is on screen at 2:00?", {"grounded": False}),
    ("What is the weather forecast?", {"grounded": False}),
    ("¿Cuándo se menciona el almacén de Denver?", {"grounded": False}),
    ("Wann wird das Lager in Denver erwähnt?", {"grounded": False}),
    ("Combien de scènes y a-t-il dans la vidéo ?", {"grounded": False}),
    ("blorf zingle wup", {"grounded": False}),
    ("???", {"grounded": False}),
    ("Hello!", {"grounded": False}),
]
KITCHEN_QUESTIONS: list[tuple[str, Expect]] = [
    ("When are the onions chopped?", {"time": (5.0, 10.5)}),
    ("How many tomatoes are added?", {"contains": ["6", "six"]}),
    ("How long should the soup simmer?", {"contains": ["30", "thirty"], "time": (15.5, 21.0)}),
    ("What is shown on screen at 0:12?", {"contains": ["Add Six Tomatoes"]}),
    ("What colour is the first scene?", {"contains": ["red"]}),
    ("What comes after the simmering step?", {"contains": ["Salt And Basil"]}),
    ("How many people does the soup serve?", {"contains": ["4", "four"]}),
    ("What oil is used?", {"contains": ["olive"]}),
    ("When is bread mentioned?", {"time": (26.0, 31.0)}),
    ("How many scenes are there?", {"contains": ["6 scenes"]}),
    ("What should the soup be seasoned with?", {"contains": ["basil"]}),
    ("Does the recipe use chicken?", {"grounded": False}),
    ("What is the price of the soup?", {"grounded": False}),
    ("How many calories does the soup have?", {"grounded": False}),
]
TALK_QUESTIONS: list[tuple[str, Expect]] = [
    ("How much did revenue grow?", {"contains": ["12", "twelve"], "time": (0.0, 20.0)}),
    ("When did the Lisbon office open?", {"contains": ["may"], "time": (0.0, 20.0)}),
    ("How many employees does the Lisbon office have?", {"contains": ["30", "thirty"]}),
    ("What did the board approve?", {"contains": ["recycling"], "time": (20.0, 35.0)}),
    ("When will offices start recycling?", {"contains": ["january"]}),
    ("What is said at 0:25?", {"contains": ["recycle"]}),
    ("What text is on screen at 0:25?", {"grounded": False}),
    ("When will the next report be published?", {"contains": ["october"], "time": (35.0, 55.0)}),
    ("Who should questions be sent to?", {"contains": ["communications team"]}),
    ("What is the dividend per share?", {"grounded": False}),
    ("How long is the video?", {"contains": ["55 seconds"]}),
]
CONVERSATIONS: dict[str, list[tuple[str, Expect]]] = {
    "briefing": [
        ("When does the software update test come up?", {"time": (44.0, 52.0)}),
        ("How many machines will it be tested on?", {"contains": ["50", "fifty"]}),
        ("What is shown right after that?", {"contains": ["Thank You For Watching"]}),
        ("For how long?", {"contains": ["8 seconds"]}),
    ],
    "briefing-back": [
        ("When is the Denver warehouse mentioned?", {"time": (14.5, 21.0)}),
        ("What comes right after that?", {"contains": ["Laboratory Safety"]}),
        ("And before that?", {"contains": ["Electric Bicycle Sales"]}),
        ("And then?", {"contains": ["Laboratory Safety"]}),
        ("What colour is it?", {"contains": ["grey"]}),
    ],
    "kitchen": [
        ("When are the tomatoes added?", {"time": (10.5, 15.5)}),
        ("How many?", {"contains": ["6", "six"]}),
        ("What comes right after that?", {"contains": ["Simmer"]}),
        ("For how long?", {"contains": ["5.5 seconds"]}),
    ],
    "talk": [
        ("When is the recycling programme mentioned?", {"time": (20.0, 35.0)}),
        ("What is said right after that?", {"contains": ["paper and plastic"]}),
        ("And before that?", {"contains": ["Lisbon"]}),
    ],
}


def check(answer: Answer, expect: Expect, subjects: list[Subject], engine: AnswerEngine) -> None:
    facts = [engine.knowledge.get(s).facts for s in subjects]
    pool = [p for f in facts for p in (*f.transcript, *f.text, *f.scene_notes, *f.chapters, f.length_fact())]
    assert all(backing(c, pool) is not None for c in answer.citations), answer.citations
    if expect.get("grounded") is False:
        assert not answer.grounded and not answer.citations, answer.content
        return
    assert answer.grounded and answer.citations, answer.content
    if "contains" in expect:
        assert any(s.lower() in answer.content.lower() for s in expect["contains"]), answer.content
    if "time" in expect:
        lo, hi = expect["time"]
        first = answer.citations[0]
        assert first.start < hi and first.end > lo, (answer.content, first)


async def _ask_all(engine: AnswerEngine, subject: Subject, questions: list[tuple[str, Expect]]) -> None:
    for question, expect in questions:
        answer = await engine.answer(question, [subject], [])
        check(answer, expect, [subject], engine)


@pytest.mark.parametrize(("question", "expect"), BRIEFING_QUESTIONS)
async def test_briefing_questions(
    engine: AnswerEngine, briefing: Subject, question: str, expect: Expect
) -> None:
    check(await engine.answer(question, [briefing], []), expect, [briefing], engine)


@pytest.mark.parametrize(("question", "expect"), KITCHEN_QUESTIONS)
async def test_kitchen_questions(
    engine: AnswerEngine, kitchen: Subject, question: str, expect: Expect
) -> None:
    check(await engine.answer(question, [kitchen], []), expect, [kitchen], engine)


@pytest.mark.parametrize(("question", "expect"), TALK_QUESTIONS)
async def test_talk_questions(engine: AnswerEngine, talk: Subject, question: str, expect: Expect) -> None:
    check(await engine.answer(question, [talk], []), expect, [talk], engine)


@pytest.mark.parametrize("name", sorted(CONVERSATIONS))
async def test_follow_ups_resolve_against_earlier_answers(
    engine: AnswerEngine, briefing: Subject, kitchen: Subject, talk: Subject, name: str
) -> None:
    subject = {"briefing": briefing, "briefing-back": briefing, "kitchen": kitchen, "talk": talk}[name]
    history: list[Turn] = []
    for question, expect in CONVERSATIONS[name]:
        answer = await engine.answer(question, [subject], history)
        check(answer, expect, [subject], engine)
        history.append(answer.turn)


async def test_a_follow_up_without_an_earlier_answer_asks_which_moment(
    engine: AnswerEngine, briefing: Subject
) -> None:
    answer = await engine.answer("What comes right after that?", [briefing], [])
    assert not answer.grounded and "After what?" in answer.content


async def test_a_project_conversation_answers_from_every_video(
    engine: AnswerEngine, briefing: Subject, kitchen: Subject
) -> None:
    both = [briefing, kitchen]
    denver = await engine.answer("When is the Denver warehouse mentioned?", both, [])
    assert denver.citations[0].video_id == briefing.video_id and 'In "briefing.mp4"' in denver.content
    onions = await engine.answer("When are the onions chopped?", both, [])
    assert onions.citations[0].video_id == kitchen.video_id
    lengths = await engine.answer("How long is the video?", both, [])
    assert "kitchen.mp4" in lengths.content and "briefing.mp4" in lengths.content
    follow = await engine.answer("What comes right after that?", both, [onions.turn])
    assert "Add Six Tomatoes" in follow.content and {c.video_id for c in follow.citations} == {
        kitchen.video_id
    }
    volcano = await engine.answer("Does anyone mention a volcano?", both, [])
    assert not volcano.grounded


async def test_without_the_embedding_model_answers_come_from_words(
    lexical_engine: AnswerEngine, briefing: Subject
) -> None:
    found = await lexical_engine.answer("When is the Denver warehouse mentioned?", [briefing], [])
    check(found, {"time": (14.5, 21.0)}, [briefing], lexical_engine)
    check(
        await lexical_engine.answer("Does anyone mention a volcano?", [briefing], []),
        {"grounded": False},
        [briefing],
        lexical_engine,
    )
    assert lexical_engine.knowledge.get(briefing).index.embedder is None


async def test_streaming_gives_the_answer_in_pieces_then_whole(
    engine: AnswerEngine, briefing: Subject
) -> None:
    items = [item async for item in engine.stream("When is the Denver warehouse mentioned?", [briefing], [])]
    *pieces, final = items
    assert isinstance(final, Answer) and all(isinstance(p, str) for p in pieces) and len(pieces) > 3
    assert "".join(p for p in pieces if isinstance(p, str)) == final.content


def test_search_ranks_moments_across_videos(
    engine: AnswerEngine, briefing: Subject, kitchen: Subject
) -> None:
    hits = engine.search("tomatoes", [briefing, kitchen], 5)
    assert hits and hits[0].video_id == kitchen.video_id and "omato" in hits[0].snippet
    assert all(a.score >= b.score for a, b in itertools.pairwise(hits))
    assert engine.search("volcano eruption", [briefing, kitchen], 5) == [] or all(
        h.score < 0.5 for h in engine.search("volcano eruption", [briefing, kitchen], 5)
    )


QUESTION_PIECES = st.sampled_from(
    [
        "when",
        "what",
        "is",
        "said",
        "shown",
        "at",
        "0:40",
        "99:99",
        "1e9",
        "scene",
        "0",
        "-1",
        "999999999999",
        "after",
        "before",
        "that",
        "how",
        "many",
        "long",
        "colour",
        "the",
        "Denver",
        "warehouse",
        "?",
        "¿",
        "Ω",
        "and",
        "then",
        "for",
        "\u200b",
        "'",
        '"',
        "[00:15]",
        "percent",
        "first",
        "last",
        "between",
        "seconds",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.lists(QUESTION_PIECES | st.text(max_size=12), max_size=14))
def test_any_question_gets_an_answer_whose_citations_are_backed(
    engine: AnswerEngine, briefing: Subject, words: list[str]
) -> None:
    question = " ".join(words)
    prepared = engine.prepare(question, [briefing], [])
    answer = engine.builtin(prepared)
    assert answer.content
    assert answer.grounded == bool(answer.citations)
    pool = prepared.pool
    assert all(backing(c, pool) is not None for c in answer.citations)


async def test_nothing_found_answers_no_only_to_a_question_about_what_the_video_holds(
    engine: AnswerEngine, briefing: Subject
) -> None:
    about_video = await engine.answer("Is there anything about a swimming pool?", [briefing], [])
    assert not about_video.grounded and about_video.content.startswith("No. ")
    advice = await engine.answer("Should I wear gloves in the swimming pool?", [briefing], [])
    assert not advice.grounded and not advice.content.startswith("No")


async def test_a_found_topic_answers_yes_only_to_a_question_about_what_the_video_holds(
    engine: AnswerEngine, briefing: Subject
) -> None:
    about_video = await engine.answer("Does the video talk about the Denver warehouse?", [briefing], [])
    assert about_video.grounded and about_video.content.startswith("Yes. ")
    # Whether it opens then is not whether it comes up: the built-in engine shows what
    # is said about it, and claims no verdict.
    verdict = await engine.answer("Will the new warehouse in Denver open in September?", [briefing], [])
    assert verdict.grounded and not verdict.content.lower().startswith(("yes", "no"))
    assert "September" in verdict.content and verdict.citations[0].start == 14.5
