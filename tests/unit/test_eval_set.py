"""The answer evaluation set (eval/) is well-formed: its question files, its specs and its judge."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from eval import speech
from eval.judge import judge, normalise
from eval.qa import KINDS, QAError, Question, VideoSet, load_all, load_file, select

from tests.media.generate import parse_spec


@pytest.fixture(scope="module")
def videos() -> list[VideoSet]:
    return load_all()


def _questions(videos: list[VideoSet]) -> list[Question]:
    return [q for v in videos for q in v.questions]


def test_enough_questions_of_every_kind(videos: list[VideoSet]) -> None:
    questions = _questions(videos)
    kinds = Counter(q.kind for q in questions)
    assert len(questions) >= 150
    assert kinds["unanswerable"] >= 30
    assert set(kinds) == set(KINDS)
    assert min(kinds.values()) >= 10, kinds


def test_held_out_part_covers_every_kind(videos: list[VideoSet]) -> None:
    held_out = [q for q in _questions(videos) if q.part == "held_out"]
    assert len(held_out) >= 40
    assert {q.kind for q in held_out} == set(KINDS)
    assert sum(q.refuse for q in held_out) >= 10
    assert {q.video for q in held_out} == {v.name for v in videos}
    for video in videos:  # the held-out part is the newest block of each file, after every tune question
        parts = [q.part for q in video.questions]
        assert set(parts[parts.index("held_out") :]) == {"held_out"}, video.name
        assert any(q.refuse for q in video.questions if q.part == "held_out"), video.name


def test_select_keeps_one_part(videos: list[VideoSet]) -> None:
    tune = _questions(select(videos, "tune"))
    held_out = _questions(select(videos, "held_out"))
    assert tune and held_out
    assert {q.part for q in tune} == {"tune"} and {q.part for q in held_out} == {"held_out"}
    assert len(tune) + len(held_out) == len(_questions(videos))


def test_six_spec_videos_on_different_topics_and_the_read_speech(videos: list[VideoSet]) -> None:
    specs = [v for v in videos if v.spec is not None]
    assert len(specs) >= 6
    assert len({v.spec for v in specs}) == len(specs)
    assert [v.name for v in videos if v.is_reading] == ["reading"]


@pytest.mark.parametrize("name", ["cooking", "launch", "transit", "science", "sports", "safety"])
def test_spec_parses_and_questions_point_at_its_scenes(videos: list[VideoSet], name: str) -> None:
    video = next(v for v in videos if v.name == name)
    assert video.spec is not None
    scenes = parse_spec(video.spec.read_text())
    assert 8 <= len(scenes) <= 12
    assert 60 <= sum(s.duration for s in scenes) <= 120
    assert all(len(s.lines) == 2 and s.sentence for s in scenes)
    assert len(video.questions) >= 20
    for question in video.questions:
        assert all(i < len(scenes) for i in question.scenes), question.id


def test_reading_questions_point_at_its_recordings(videos: list[VideoSet]) -> None:
    reading = next(v for v in videos if v.is_reading)
    scene_count = len(speech.READINGS) + 2  # a title before the recordings, a closing card after
    assert all(i < scene_count for q in reading.questions for i in q.scenes)
    assert sum(q.refuse for q in reading.questions) >= 3


def test_answers_expect_facts_or_a_scene_and_follow_ups_have_turns(videos: list[VideoSet]) -> None:
    for question in _questions(videos):
        assert question.text.strip(), question.id  # people leave out the question mark too
        if question.refuse:
            assert not question.facts and not question.scenes
        else:
            assert question.facts or question.scenes, question.id
        assert bool(question.turns) == (question.kind == "follow_up"), question.id


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "rumour"}, "kind"),
        ({"part": "train"}, "part"),
        ({"expect": {"refuse": True}}, "refuse"),
        ({"expect": {}}, "facts, scenes"),
        ({"expect": {"facts": []}}, "non-empty"),
        ({"kind": "follow_up"}, "turns"),
        ({"expect": {"facts": ["a"], "answer": "maybe"}}, "yes or no"),
    ],
)
def test_malformed_questions_are_refused(tmp_path: Path, change: dict[str, object], message: str) -> None:
    question: dict[str, object] = {"id": "x-1", "part": "tune", "kind": "paraphrase", "q": "What?"}
    question["expect"] = {"facts": ["a"]}
    question.update(change)
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"video": "x", "spec": "cooking.spec", "questions": [question]}))
    with pytest.raises(QAError, match=message):
        load_file(path)


def test_numbers_compare_however_written() -> None:
    assert normalise("two point four kilometres") == normalise("2.4 km")
    assert normalise("two hundred and forty nine euros") == normalise("249 Euros")
    assert normalise("28,500 fans") == normalise("twenty eight thousand five hundred fans")
    assert normalise("the twelfth of April") == normalise("the 12th of april")
    assert normalise("They look like potatoes") == normalise("they look like potato")
    assert normalise("two batteries") == normalise("2 battery")
    assert normalise("38%") == normalise("thirty eight percent")
    assert normalise("they scored twice") == normalise("they scored 2")


def test_judge_needs_facts_grounding_and_a_citation_in_the_scene() -> None:
    spans = [(0.0, 8.0), (8.0, 16.5)]
    question = Question("v-1", "v", "tune", "number_variant", "Length?", False, (("2.4",),), (1,))
    cited = {"start": 9.0, "end": 12.0}
    content = "It is two point four kilometres long [0:09]."
    right = {"content": content, "grounded": True, "citations": [cited]}
    assert judge(question, right, spans).correct
    elsewhere = dict(right, citations=[{"start": 1.0, "end": 4.0}])
    assert judge(question, elsewhere, spans).reason == "no citation in scene 1"
    wrong = dict(right, content="It is 24 kilometres long.")
    assert judge(question, wrong, spans).reason == "missing 2.4"
    refused = {"content": "The video does not say.", "grounded": False, "citations": []}
    assert judge(question, refused, spans).reason == "refused an answerable question"
    unanswerable = Question("v-2", "v", "tune", "unanswerable", "Price?", True)
    assert judge(unanswerable, refused, spans).correct
    assert not judge(unanswerable, right, spans).correct


def test_judge_fails_a_yes_no_answer_that_opens_with_the_other_word() -> None:
    spans = [(0.0, 9.0)]
    closed = Question("v-3", "v", "tune", "yes_no", "Open?", False, (("closed",),), (0,), answer="no")
    cited = [{"start": 1.0, "end": 5.0}]
    wrong = {"content": "Yes. Bridge Street Closed Until May [00:01].", "grounded": True, "citations": cited}
    right = dict(wrong, content="No: Bridge Street is closed until May [00:01].")
    assert judge(closed, wrong, spans).reason == "said yes"
    assert judge(closed, right, spans).correct
