"""The video's topics in a model's answer: names the evidence holds often, or on the title card
and said over it, need no citation of their own; other names and numbers still do."""

from __future__ import annotations

import uuid

from visionscope.features.conversations.answers.knowledge import Passage
from visionscope.features.conversations.answers.questions import read_question
from visionscope.features.conversations.answers.verify import claims_missing, topics_of, verify

WATCH = uuid.UUID(int=3)
TITLE = Passage(WATCH, "text", 0.0, 8.0, "Aurora Watch 2 Launch Event, Berlin", 0)
WELCOME = Passage(
    WATCH, "transcript", 0.5, 6.0, "Welcome everyone to the launch of our new smartwatch, the Aurora two.", 0
)
WEIGHT = Passage(WATCH, "text", 43.0, 52.0, "Weight Only 32 Grams", 5)
WATER = Passage(WATCH, "text", 34.5, 43.0, "Water Resistant Down to 50 Metres", 4)
SWIM = Passage(WATCH, "transcript", 35.0, 40.0, "You can wear it while swimming in the sea or the pool.", 4)
EVIDENCE = (TITLE, WELCOME, WATER, SWIM, WEIGHT)


def test_a_name_on_the_title_card_and_said_over_it_is_a_topic_with_its_number() -> None:
    topics = topics_of(EVIDENCE)
    assert "aurora" in topics
    assert "aurora 2" in topics
    assert "berlin" not in topics  # shown once: a fact, not the video's topic


def test_an_uncited_sentence_may_name_the_topic_where_its_facts_are_cited_elsewhere() -> None:
    question = read_question("How deep can it go underwater, fifty meters or a hundred?")
    verdict = verify("The Aurora 2 is water resistant down to 50 metres.", EVIDENCE, question)
    assert verdict.accepted, verdict.problems
    assert verdict.citations[0] == WATER
    assert "[00:34]" in verdict.content


def test_a_number_beside_the_topic_that_is_not_its_name_still_needs_evidence() -> None:
    verdict = verify("The Aurora 2 is water resistant down to 100 metres [3].", EVIDENCE)
    assert not verdict.accepted
    assert any("100" in problem for problem in verdict.problems)


def test_a_name_shown_once_is_not_free() -> None:
    verdict = verify("The Aurora 2 weighs 32 grams in Berlin [5].", EVIDENCE)
    assert not verdict.accepted
    assert any("Berlin" in problem for problem in verdict.problems)


def test_a_number_beside_a_name_once_is_a_fact_not_part_of_the_name() -> None:
    score = Passage(WATCH, "text", 8.0, 11.0, "Final Score / Riverside 3 Harbor City 1", 1)
    recap = Passage(WATCH, "transcript", 9.0, 12.0, "Riverside won the derby.", None)
    title = Passage(WATCH, "text", 0.0, 8.0, "Riverside vs Harbor City", 0)
    topics = topics_of((title, score, recap))
    assert "riverside" in topics and "riverside 3" not in topics
    assert "3" in claims_missing("Riverside won the derby 3 to 1.", [recap], topics=topics)


def test_a_decimal_point_set_apart_by_speech_recognition_is_one_number() -> None:
    line = Passage(WATCH, "transcript", 17.9, 21.2, "The line is 2 .4 kilometers long with six stops.", 2)
    verdict = verify("The line is 2 . 4 kilometers long with 6 stops [1].", (line,))
    assert verdict.accepted, verdict.problems
    assert "2.4 kilometers" in verdict.content
