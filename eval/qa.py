"""The question files: one JSON file a video in eval/qa, read and checked.

A file is `{"video": name, "spec": "name.spec" | "source": "reading", "about": ..., "questions": [...]}`;
a question is `{"id", "part": "tune" | "held_out", "kind", "q", "expect", "turns"?}` where `expect` is
either `{"refuse": true}` or `{"facts": [[any of...], ...], "scenes": [indexes]}` (one or both): every
group of `facts` must be in the answer (one of its strings or numbers, however the number is
written), and when `scenes` is given a citation must overlap one of those scenes (a question asking
"when" has scenes only); `"answer": "yes" | "no"` on a yes-no question fails an answer that opens
with the other word. A `follow_up` has `turns`: the
questions asked just before it in the same conversation.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

EVAL_DIR = Path(__file__).resolve().parent
QA_DIR = EVAL_DIR / "qa"
SPEC_DIR = EVAL_DIR / "specs"
KINDS = (
    "paraphrase",
    "yes_no",
    "number_variant",
    "shown_not_said",
    "follow_up",
    "unanswerable",
    "structural",
    "exact_wording",
)
PARTS = ("tune", "held_out")
READING = "reading"


class QAError(ValueError):
    """A question file that does not follow the format."""


@dataclass(frozen=True)
class Question:
    id: str
    video: str
    part: str
    kind: str
    text: str
    refuse: bool
    facts: tuple[tuple[str, ...], ...] = ()
    scenes: tuple[int, ...] = ()
    turns: tuple[str, ...] = ()
    answer: str = ""


@dataclass
class VideoSet:
    name: str
    spec: Path | None
    questions: list[Question] = field(default_factory=list)

    @property
    def is_reading(self) -> bool:
        return self.spec is None


def _facts(raw: object, where: str) -> tuple[tuple[str, ...], ...]:
    if not isinstance(raw, list) or not raw:
        raise QAError(f"{where}: facts must be a non-empty list")
    groups: list[tuple[str, ...]] = []
    for group in raw:
        items = group if isinstance(group, list) else [group]
        if not items or not all(isinstance(item, str | int | float) and str(item).strip() for item in items):
            raise QAError(f"{where}: each fact is a string, a number or a non-empty list of them")
        groups.append(tuple(str(item) for item in items))
    return tuple(groups)


def _question(raw: object, video: str, where: str) -> Question:
    if not isinstance(raw, dict):
        raise QAError(f"{where}: a question is an object")
    missing = {"id", "part", "kind", "q", "expect"} - raw.keys()
    if missing:
        raise QAError(f"{where}: missing {sorted(missing)}")
    kind, part, expect = raw["kind"], raw["part"], raw["expect"]
    if kind not in KINDS:
        raise QAError(f"{where}: kind {kind!r} is not one of {KINDS}")
    if part not in PARTS:
        raise QAError(f"{where}: part {part!r} is not one of {PARTS}")
    if not isinstance(raw["q"], str) or not raw["q"].strip():
        raise QAError(f"{where}: empty question")
    if not isinstance(expect, dict):
        raise QAError(f"{where}: expect is an object")
    turns = raw.get("turns", [])
    if not isinstance(turns, list) or not all(isinstance(t, str) and t.strip() for t in turns):
        raise QAError(f"{where}: turns is a list of questions")
    if kind == "follow_up" and not turns:
        raise QAError(f"{where}: a follow-up needs the turns before it")
    refuse = expect.get("refuse") is True
    if refuse != (kind == "unanswerable"):
        raise QAError(f"{where}: refuse is true exactly for unanswerable questions")
    if refuse:
        if "facts" in expect:
            raise QAError(f"{where}: a refused question expects no facts")
        return Question(str(raw["id"]), video, part, kind, raw["q"], True, turns=tuple(turns))
    scenes = expect.get("scenes", [])
    if not isinstance(scenes, list) or not all(isinstance(s, int) and s >= 0 for s in scenes):
        raise QAError(f"{where}: scenes is a list of scene indexes")
    if "facts" not in expect and not scenes:
        raise QAError(f"{where}: an answer needs facts, scenes or both")
    facts = _facts(expect["facts"], where) if "facts" in expect else ()
    answer = expect.get("answer", "")
    if answer not in ("", "yes", "no"):
        raise QAError(f"{where}: answer is yes or no")
    return Question(
        str(raw["id"]), video, part, kind, raw["q"], False, facts, tuple(scenes), tuple(turns), answer
    )


def load_file(path: Path) -> VideoSet:
    try:
        raw = json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise QAError(f"{path.name}: not JSON: {err}") from err
    name = raw.get("video")
    if not isinstance(name, str) or not name:
        raise QAError(f"{path.name}: no video name")
    spec: Path | None = None
    if raw.get("source") != READING:
        spec = SPEC_DIR / str(raw.get("spec", ""))
        if not spec.is_file():
            raise QAError(f"{path.name}: spec {spec.name} not found")
    questions = raw.get("questions")
    if not isinstance(questions, list) or not questions:
        raise QAError(f"{path.name}: no questions")
    video = VideoSet(name, spec)
    for number, item in enumerate(questions):
        video.questions.append(_question(item, name, f"{path.name} #{number}"))
    return video


def load_all(directory: Path = QA_DIR) -> list[VideoSet]:
    videos = [load_file(path) for path in sorted(directory.glob("*.json"))]
    ids = Counter(q.id for v in videos for q in v.questions)
    repeated = [i for i, n in ids.items() if n > 1]
    if repeated:
        raise QAError(f"question ids used twice: {repeated}")
    return videos


def select(
    videos: list[VideoSet], part: str | None, kinds: Sequence[str] = (), ids: Sequence[str] = ()
) -> list[VideoSet]:
    """The videos with only the questions of one part (all parts when `part` is None), of these
    `kinds` and with these `ids` (all when none are given)."""
    chosen = [
        VideoSet(
            v.name,
            v.spec,
            [
                q
                for q in v.questions
                if (part is None or q.part == part)
                and (not kinds or q.kind in kinds)
                and (not ids or q.id in ids)
            ],
        )
        for v in videos
    ]
    return [v for v in chosen if v.questions]
