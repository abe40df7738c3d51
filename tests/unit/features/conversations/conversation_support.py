"""Analysis results written the way the pipeline writes them, from a list of shots with known
content: the answer engine reads them as it reads a real video's work directory."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from visionscope.analysis import (
    Embedder,
    ScanResult,
    Scene,
    Segment,
    TextResult,
    TextSpan,
    Transcript,
    VideoIndex,
    build_documents,
    chapters_and_summary,
)
from visionscope.analysis.embed import DIMENSIONS
from visionscope.analysis.visual import ColorShare
from visionscope.features.conversations.answers.knowledge import Subject


@dataclass(frozen=True)
class Shot:
    """One scene: how long, its colours, its lines of text and the sentence said in it."""

    seconds: float
    colours: tuple[tuple[str, float], ...]
    lines: tuple[str, ...] = ()
    said: str = ""
    brightness: float = 0.3
    motion: float = 0.0
    extra_said: tuple[str, ...] = field(default=())


def _stage(work: Path, stage: str, result: dict[str, Any]) -> None:
    payload = {
        "version": 1,
        "stage": stage,
        "status": "done",
        "reason": None,
        "seconds": 0.0,
        "result": result,
    }
    (work / f"{stage}.json").write_text(json.dumps(payload))


def write_analysis(work: Path, shots: Sequence[Shot], embedder: Embedder | None) -> float:
    """Write scan, text, speech, index and chapters results for `shots`; returns the duration."""
    work.mkdir(parents=True, exist_ok=True)
    scenes, spans, segments = [], [], []
    t = 0.0
    for i, shot in enumerate(shots):
        end = t + shot.seconds
        scenes.append(
            Scene(
                index=i,
                start=t,
                end=end,
                keyframe=f"keyframes/{i:04d}.jpg",
                keyframe_time=(t + end) / 2,
                thumbnail=f"thumbnails/{i:04d}.jpg",
                samples=(),
                colors=tuple(ColorShare(name, share) for name, share in shot.colours),
                brightness=shot.brightness,
                motion=shot.motion,
            )
        )
        for n, line in enumerate(shot.lines):
            spans.append(TextSpan(t, end, line, i, 96.0, 0.07 if n == 0 else 0.04))
        start = t + 1.0
        for sentence in (shot.said, *shot.extra_said):
            if sentence:
                length = 0.3 * len(sentence.split())
                segments.append(Segment(start, round(start + length, 3), sentence))
                start = round(start + length + 0.4, 3)
        t = end
    scan = ScanResult(duration=t, frames=int(t * 25), decode_errors=0, scenes=tuple(scenes), sprite=None)
    text = TextResult(tuple(spans))
    transcript = Transcript("asr", "en", tuple(segments))
    docs = build_documents(scan, text, transcript)
    if embedder is not None:
        index = VideoIndex.build(docs, embedder)
    else:
        index = VideoIndex(docs, np.zeros((len(docs), DIMENSIONS), np.float32), None)
    index.save(work / "index")
    _stage(work, "scan", scan.to_dict())
    _stage(work, "text", text.to_dict())
    _stage(work, "speech", transcript.to_dict())
    _stage(work, "index", {"path": "index", "documents": len(docs)})
    _stage(work, "chapters", chapters_and_summary(scan, text, transcript, embedder=embedder).to_dict())
    return t


def subject(work: Path, name: str, shots: Sequence[Shot], embedder: Embedder | None) -> Subject:
    write_analysis(work, shots, embedder)
    return Subject(uuid.uuid4(), name, work)


BLUE, RED, GREEN, PURPLE, ORANGE, GREY = "blue", "red", "green", "purple", "orange", "grey"

#: The shared briefing's content, as its analysis reads it.
BRIEFING = (
    Shot(
        7.0,
        ((BLUE, 0.97),),
        ("QUARTERLY PLANNING 2024", "Northern Region Overview"),
        "Welcome to the quarterly planning meeting for the northern region.",
    ),
    Shot(
        7.5,
        ((GREEN, 0.19), (BLUE, 0.17), (RED, 0.17)),
        ("Electric Bicycle Sales", "Spring Results Up 20 Percent"),
        "Sales of electric bicycles increased by twenty percent this spring.",
        motion=0.07,
    ),
    Shot(
        6.5,
        ((RED, 0.98),),
        ("Denver Warehouse", "Opening September 30"),
        "The new warehouse in Denver will open at the end of September.",
    ),
    Shot(
        8.0,
        ((GREY, 0.29), ("black", 0.21), ("white", 0.08)),
        ("Laboratory Safety", "Wear Safety Glasses"),
        "Please remember to wear safety glasses in the laboratory.",
    ),
    Shot(
        7.5,
        ((GREEN, 0.98),),
        ("Customer Support", "4000 Calls Answered"),
        "Our customer support team answered four thousand calls last month.",
    ),
    Shot(
        7.5,
        ((GREEN, 0.16), ("black", 0.13), ("white", 0.13)),
        ("Parking Lot Camera 7", "Red Truck At Main Entrance"),
        "The red truck is parked next to the main entrance.",
    ),
    Shot(
        8.0,
        ((PURPLE, 0.98),),
        ("Software Update Test", "Fifty Machines Tomorrow"),
        "Tomorrow we will test the software update on fifty machines.",
    ),
    Shot(
        8.0,
        ((ORANGE, 0.40), (BLUE, 0.37), ("brown", 0.13)),
        ("Thank You For Watching", "See You Next Week"),
        "Thank you for watching and see you next week.",
    ),
)

#: A cooking lesson (tests/media/kitchen.spec has the same content as a video).
KITCHEN = (
    Shot(
        5.0,
        ((RED, 0.95),),
        ("Tomato Soup", "Serves Four People"),
        "Today we are making a tomato soup that serves four people.",
    ),
    Shot(
        5.5,
        ((GREEN, 0.2), (BLUE, 0.2), (RED, 0.2)),
        ("Step One", "Chop Two Onions"),
        "First chop two onions and fry them in olive oil for five minutes.",
    ),
    Shot(
        5.0,
        (("yellow", 0.9),),
        ("Step Two", "Add Six Tomatoes"),
        "Then add six ripe tomatoes and a litre of vegetable stock.",
    ),
    Shot(
        5.5,
        ((GREY, 0.3), ("white", 0.2)),
        ("Simmer", "Thirty Minutes"),
        "Let the soup simmer gently for thirty minutes.",
    ),
    Shot(
        5.0,
        ((GREEN, 0.9),),
        ("Season", "Salt And Basil"),
        "Season with salt, pepper and fresh basil before serving.",
    ),
    Shot(
        5.0,
        ((BLUE, 0.8), ("black", 0.15)),
        ("Enjoy", "Next Lesson Bread"),
        "Next week we will bake bread together.",
    ),
)

#: A talk with long scenes and several sentences each, and a scene with nothing on screen.
TALK = (
    Shot(
        20.0,
        ((BLUE, 0.9),),
        ("Annual Report",),
        "Good morning everyone and welcome to the annual report.",
        extra_said=(
            "Revenue grew by twelve percent to three million euros.",
            "Our Lisbon office opened in May with thirty new employees.",
        ),
    ),
    Shot(
        15.0,
        (("black", 0.8),),
        (),
        "The board approved a new recycling programme for all offices.",
        extra_said=("Every office will recycle paper and plastic from January.",),
    ),
    Shot(
        20.0,
        ((GREEN, 0.85),),
        ("Questions",),
        "Please send your questions to the communications team.",
        extra_said=("The next report will be published in October.",),
    ),
)


class ScriptedWriter:
    """Replies from a script (a text, or a function of the whole prompt), one reply an attempt,
    in pieces of a few characters; close readings (asked aside) from `readings`, then "Yes"."""

    def __init__(self, *replies: str | Callable[[str], str], readings: Sequence[str] = ()) -> None:
        self.replies = list(replies)
        self.readings = list(readings)
        self.seen: list[list[dict[str, str]]] = []
        self.aside: list[bool] = []

    async def stream(self, messages: Sequence[dict[str, str]], *, aside: bool = False) -> AsyncIterator[str]:
        self.seen.append(list(messages))
        self.aside.append(aside)
        if aside:
            script: str | Callable[[str], str] = self.readings.pop(0) if self.readings else "Yes"
        else:
            script = self.replies.pop(0)
        reply = script if isinstance(script, str) else script("\n".join(m["content"] for m in messages))
        for i in range(0, len(reply), 4):
            yield reply[i : i + 4]
