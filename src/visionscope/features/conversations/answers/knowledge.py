"""What the engine knows of a video: its analysis as passages and facts, and its search index.

`VideoFacts` is plain data (the answer composition reads only it); `VideoKnowledge` adds the
index; `KnowledgeCache` loads each video's analysis once and again only when it changes.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from visionscope.analysis import Embedder, VideoIndex, build_documents
from visionscope.analysis.embed import DIMENSIONS
from visionscope.building_blocks.errors import NotFound
from visionscope.features.videos.public import chapters_of, scan_of, text_of, transcript_of

from .terms import content_words, stem

log = logging.getLogger("visionscope.answers")

TRANSCRIPT, TEXT, SCENE, CHAPTER, VIDEO = "transcript", "text", "scene", "chapter", "video"


@dataclass(frozen=True, slots=True)
class Passage:
    """A piece of evidence: something said, shown as text, seen in a scene, or a fact of the video."""

    video_id: uuid.UUID
    source: str
    start: float
    end: float
    text: str
    scene: int | None = None

    def overlaps(self, start: float, end: float) -> bool:
        if start == end:
            return self.start <= start < self.end or (self.start == self.end == start)
        return self.start < end and self.end > start


@dataclass(frozen=True, slots=True)
class SceneFacts:
    index: int
    start: float
    end: float
    colours: tuple[tuple[str, float], ...]
    brightness: float
    motion: float


@dataclass(frozen=True, slots=True)
class Subject:
    """A video to answer from: its id, its name for answers and where its analysis is."""

    video_id: uuid.UUID
    name: str
    work_dir: Path


@dataclass(frozen=True)
class VideoFacts:
    """A video's analysis as passages, in time order."""

    video_id: uuid.UUID
    name: str
    duration: float
    scenes: tuple[SceneFacts, ...]
    transcript: tuple[Passage, ...]
    text: tuple[Passage, ...]
    scene_notes: tuple[Passage, ...]
    chapters: tuple[Passage, ...]
    summary: tuple[Passage, ...]
    common: frozenset[str] = frozenset()
    """Stems said or shown in several parts of the video: what the whole video is about ("soup" in a
    soup recipe). A question's other words must be supported; these may go unsaid where they are."""

    def scene_at(self, t: float) -> SceneFacts | None:
        for scene in self.scenes:
            if scene.start <= t < scene.end:
                return scene
        return self.scenes[-1] if self.scenes and t >= self.scenes[-1].start else None

    def note_of(self, scene: SceneFacts) -> Passage:
        for note in self.scene_notes:
            if note.scene == scene.index:
                return note
        return Passage(self.video_id, SCENE, scene.start, scene.end, f"Scene {scene.index + 1}", scene.index)

    def in_scene(self, passages: tuple[Passage, ...], scene: SceneFacts) -> list[Passage]:
        return [
            p for p in passages if p.overlaps(scene.start, scene.end) and (p.scene in (None, scene.index))
        ]

    def length_fact(self) -> Passage:
        return Passage(
            self.video_id, VIDEO, 0.0, self.duration, f"The video lasts {self.duration:.1f} seconds."
        )


@dataclass(frozen=True)
class VideoKnowledge:
    facts: VideoFacts
    index: VideoIndex


def _describe_colour(scene: SceneFacts) -> str:
    return ", ".join(f"{name} {share:.0%}" for name, share in scene.colours) or "colours unknown"


#: Without enough scenes, a video's parts are windows of this many seconds.
PART_SECONDS = 30.0


def _part_of(passage: Passage, scenes: tuple[SceneFacts, ...]) -> int:
    middle = (passage.start + passage.end) / 2
    if len(scenes) >= 3:
        return next((s.index for s in scenes if s.start <= middle < s.end), scenes[-1].index)
    return int(middle // PART_SECONDS)


def _common_stems(parts: list[tuple[Passage, int]]) -> frozenset[str]:
    held: dict[int, set[str]] = {}
    for passage, part in parts:
        held.setdefault(part, set()).update(stem(w) for w in content_words(passage.text))
    if len(held) < 3:
        return frozenset()
    counts = Counter(s for stems in held.values() for s in stems)
    return frozenset(s for s, n in counts.items() if n >= 2)


def read_facts(subject: Subject, index: VideoIndex) -> VideoFacts:
    """Passages and facts from the analysis files of one video."""
    work, vid = subject.work_dir, subject.video_id
    scan = scan_of(work)
    text = text_of(work)
    transcript = transcript_of(work)
    scenes = tuple(
        SceneFacts(
            s.index, s.start, s.end, tuple((c.name, c.share) for c in s.colors), s.brightness, s.motion
        )
        for s in scan.scenes
    )
    notes = tuple(
        Passage(vid, SCENE, d.start, d.end, d.text, d.scene) for d in index.documents if d.source == SCENE
    ) or tuple(
        Passage(vid, SCENE, s.start, s.end, f"Scene {s.index + 1}: {_describe_colour(s)}.", s.index)
        for s in scenes
    )
    said = tuple(
        Passage(vid, TRANSCRIPT, seg.start, seg.end, seg.text.strip(), None)
        for seg in (transcript.segments if transcript else ())
        if seg.text.strip()
    )
    shown = tuple(
        Passage(vid, TEXT, span.start, span.end, span.text.strip(), span.scene)
        for span in (text.spans if text else ())
        if span.text.strip()
    )
    try:
        chapters = chapters_of(work)
        titles = tuple(Passage(vid, CHAPTER, c.start, c.end, c.title, None) for c in chapters.chapters)
        summary = tuple(
            Passage(vid, s.source, s.start, s.end, s.text.strip(), None) for s in chapters.summary.sentences
        )
    except (NotFound, KeyError, TypeError, ValueError):  # analysed without chapters: no titles, no summary
        titles, summary = (), ()
    parts = [(p, _part_of(p, scenes)) for p in (*said, *shown)]
    return VideoFacts(
        common=_common_stems(parts),
        video_id=vid,
        name=subject.name,
        duration=scan.duration,
        scenes=scenes,
        transcript=tuple(sorted(said, key=lambda p: p.start)),
        text=tuple(sorted(shown, key=lambda p: (p.start, p.end))),
        scene_notes=notes,
        chapters=titles,
        summary=summary,
    )


def load_index(work: Path, embedder: Embedder | None) -> VideoIndex:
    """The saved index, or (when it is missing or was built by another model) a lexical one built now."""
    try:
        return VideoIndex.load(work / "index", embedder)
    except (OSError, ValueError, KeyError) as err:
        log.warning("no usable index, searching by words only", extra={"work": str(work), "error": str(err)})
    docs = build_documents(scan_of(work), text_of(work), transcript_of(work))
    return VideoIndex(docs, np.zeros((len(docs), DIMENSIONS), np.float32), None)


def load_knowledge(subject: Subject, embedder: Embedder | None) -> VideoKnowledge:
    index = load_index(subject.work_dir, embedder)
    return VideoKnowledge(read_facts(subject, index), index)


def _stamp(work: Path) -> tuple[int, ...]:
    found = []
    for name in ("scan.json", "text.json", "speech.json", "chapters.json", "index/documents.json"):
        try:
            found.append((work / name).stat().st_mtime_ns)
        except OSError:
            found.append(0)
    return tuple(found)


class KnowledgeCache:
    """Loaded videos, least recently used out first; a video re-analysed since is loaded again."""

    def __init__(self, embedder: Callable[[], Embedder | None], size: int = 32) -> None:
        self._embedder = embedder
        self._size = size
        self._items: OrderedDict[Path, tuple[tuple[int, ...], str, VideoKnowledge]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, subject: Subject) -> VideoKnowledge:
        stamp = _stamp(subject.work_dir)
        with self._lock:
            found = self._items.get(subject.work_dir)
            if found is not None and found[0] == stamp and found[1] == subject.name:
                self._items.move_to_end(subject.work_dir)
                return found[2]
        knowledge = load_knowledge(subject, self._embedder())
        with self._lock:
            self._items[subject.work_dir] = (stamp, subject.name, knowledge)
            self._items.move_to_end(subject.work_dir)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return knowledge
