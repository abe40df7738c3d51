"""Reading a finished analysis from the video's work directory into API shapes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from visionscope.analysis import ChaptersResult, ScanResult, TextResult, Transcript
from visionscope.building_blocks.errors import NotFound
from visionscope.features.videos.schemas import (
    ChapterRead,
    ColorRead,
    SceneRead,
    SegmentRead,
    SummaryRead,
    SummarySentenceRead,
    TextSpanRead,
    WordRead,
)


def video_key(video_id: object) -> str:
    return f"videos/{video_id}"


def source_key(video_id: object) -> str:
    return f"{video_key(video_id)}/source"


def subtitles_key(video_id: object) -> str:
    return f"{video_key(video_id)}/subtitles"


def work_key(video_id: object) -> str:
    return f"{video_key(video_id)}/analysis"


def read_stage(work: Path, stage: str) -> dict[str, Any] | None:
    """A stage's result, or None when the stage was skipped or its file is missing."""
    path = work / f"{stage}.json"
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    if data.get("status") != "done":
        return None
    result: dict[str, Any] = data["result"]
    return result


def _required(work: Path, stage: str) -> dict[str, Any]:
    found = read_stage(work, stage)
    if found is None:
        raise NotFound("The analysis results of this video are missing; re-analyse it.")
    return found


def scan_of(work: Path) -> ScanResult:
    return ScanResult.from_dict(_required(work, "scan"))


def text_of(work: Path) -> TextResult | None:
    found = read_stage(work, "text")
    return TextResult.from_dict(found) if found else None


def transcript_of(work: Path) -> Transcript | None:
    found = read_stage(work, "speech")
    return Transcript.from_dict(found) if found else None


def chapters_of(work: Path) -> ChaptersResult:
    return ChaptersResult.from_dict(_required(work, "chapters"))


def scenes(work: Path, thumbnail_url: str) -> list[SceneRead]:
    """Scenes with their on-screen text; ``thumbnail_url`` has a ``{n}`` for the scene number."""
    scan, text = scan_of(work), text_of(work)
    lines: dict[int, list[str]] = {}
    for span in text.spans if text else ():
        lines.setdefault(span.scene, []).append(span.text)
    return [
        SceneRead(
            index=s.index,
            start=s.start,
            end=s.end,
            keyframe_url=thumbnail_url.format(n=s.index),
            colors=[ColorRead(name=c.name, share=c.share) for c in s.colors],
            brightness=s.brightness,
            motion=s.motion,
            text=lines.get(s.index, []),
            caption=None,
            transition=s.transition,
            transition_start=s.transition_start,
            transition_end=s.transition_end,
        )
        for s in scan.scenes
    ]


def segments(work: Path) -> list[SegmentRead]:
    transcript = transcript_of(work)
    return [
        SegmentRead(
            start=s.start,
            end=s.end,
            text=s.text,
            words=[WordRead(start=w.start, end=w.end, word=w.word) for w in s.words],
        )
        for s in (transcript.segments if transcript else ())
    ]


def on_screen_text(work: Path) -> list[TextSpanRead]:
    text = text_of(work)
    return [
        TextSpanRead(start=s.start, end=s.end, text=s.text, scene=s.scene)
        for s in (text.spans if text else ())
    ]


def chapters(work: Path) -> list[ChapterRead]:
    return [
        ChapterRead(index=c.index, start=c.start, end=c.end, title=c.title)
        for c in chapters_of(work).chapters
    ]


def summary(work: Path) -> SummaryRead:
    found = chapters_of(work).summary
    return SummaryRead(
        text=found.text,
        sentences=[
            SummarySentenceRead(start=s.start, end=s.end, text=s.text, source=s.source)
            for s in found.sentences
        ],
    )


def thumbnail_path(work: Path, index: int, *, full: bool) -> Path:
    """The scene's small thumbnail, or its full keyframe."""
    scan = scan_of(work)
    for scene in scan.scenes:
        if scene.index == index:
            return work / (scene.keyframe if full else scene.thumbnail)
    raise NotFound(f"This video has no scene {index}.")
