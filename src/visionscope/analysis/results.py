"""Result data classes of the pipeline stages, with conversion to and from JSON-able dicts.

Times are seconds (float) from the start of the video. Paths are relative to the work dir.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal, cast

from .visual import ColorShare

#: How a scene begins: "start" for the first, then a cut or a gradual transition.
Transition = Literal["start", "cut", "dissolve", "fade", "wipe"]


@dataclass(frozen=True, slots=True)
class Keyframe:
    """A picture saved from a scene."""

    time: float
    path: str


@dataclass(frozen=True, slots=True)
class Scene:
    """A shot: the span between two boundaries, with its pictures and visual stats.

    `transition` is how the shot begins: "start" (the first), "cut", "dissolve", "fade" (through
    black) or "wipe"; a gradual one spans `transition_start`..`transition_end` around `start`.
    """

    index: int
    start: float
    end: float
    keyframe: str
    keyframe_time: float
    thumbnail: str
    samples: tuple[Keyframe, ...]
    colors: tuple[ColorShare, ...]
    brightness: float
    motion: float
    transition: Transition = "cut"
    transition_start: float = 0.0
    transition_end: float = 0.0

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Scene:
        return cls(
            index=int(d["index"]),
            start=float(d["start"]),
            end=float(d["end"]),
            keyframe=str(d["keyframe"]),
            keyframe_time=float(d["keyframe_time"]),
            thumbnail=str(d["thumbnail"]),
            samples=tuple(Keyframe(**k) for k in d["samples"]),
            colors=tuple(ColorShare(**c) for c in d["colors"]),
            brightness=float(d["brightness"]),
            motion=float(d["motion"]),
            transition=cast(Transition, d.get("transition", "start" if int(d["index"]) == 0 else "cut")),
            transition_start=float(d.get("transition_start", d["start"])),
            transition_end=float(d.get("transition_end", d["start"])),
        )


@dataclass(frozen=True, slots=True)
class Sprite:
    """A grid of small frames taken every `interval` seconds, for the player's timeline."""

    path: str
    tile_width: int
    tile_height: int
    columns: int
    count: int
    interval: float


@dataclass(frozen=True, slots=True)
class ScanResult:
    """Output of the decode pass."""

    duration: float
    frames: int
    """Frames decoded and analysed (fewer than the video has when non-reference frames are skipped)."""
    decode_errors: int
    scenes: tuple[Scene, ...]
    sprite: Sprite | None

    @property
    def cuts(self) -> list[float]:
        """Start times of every scene but the first."""
        return [s.start for s in self.scenes[1:]]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ScanResult:
        return cls(
            duration=float(d["duration"]),
            frames=int(d["frames"]),
            decode_errors=int(d["decode_errors"]),
            scenes=tuple(Scene.from_dict(s) for s in d["scenes"]),
            sprite=Sprite(**d["sprite"]) if d.get("sprite") else None,
        )


@dataclass(frozen=True, slots=True)
class TextSpan:
    """A line of on-screen text and when it is visible."""

    start: float
    end: float
    text: str
    scene: int
    confidence: float
    height: float
    """Height of the letters as a fraction of the picture's height (bigger is more prominent)."""


@dataclass(frozen=True, slots=True)
class TextResult:
    spans: tuple[TextSpan, ...]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TextResult:
        return cls(spans=tuple(TextSpan(**s) for s in d["spans"]))


@dataclass(frozen=True, slots=True)
class Word:
    start: float
    end: float
    word: str


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of speech (or a subtitle cue)."""

    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Segment:
        return cls(
            start=float(d["start"]),
            end=float(d["end"]),
            text=str(d["text"]),
            words=tuple(Word(**w) for w in d.get("words", ())),
        )


@dataclass(frozen=True, slots=True)
class Transcript:
    """What is said, with where it came from: `asr`, `subtitle_stream`, `subtitle_file` or `none`."""

    source: str
    language: str | None
    segments: tuple[Segment, ...]

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Transcript:
        return cls(
            source=str(d["source"]),
            language=d.get("language"),
            segments=tuple(Segment.from_dict(s) for s in d["segments"]),
        )


@dataclass(frozen=True, slots=True)
class Chapter:
    index: int
    start: float
    end: float
    title: str
    scenes: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class SummarySentence:
    start: float
    end: float
    text: str
    source: str


@dataclass(frozen=True, slots=True)
class Summary:
    text: str
    sentences: tuple[SummarySentence, ...]


@dataclass(frozen=True, slots=True)
class ChaptersResult:
    chapters: tuple[Chapter, ...]
    summary: Summary

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ChaptersResult:
        s = d["summary"]
        return cls(
            chapters=tuple(
                Chapter(
                    index=int(c["index"]),
                    start=float(c["start"]),
                    end=float(c["end"]),
                    title=str(c["title"]),
                    scenes=tuple(int(i) for i in c["scenes"]),
                )
                for c in d["chapters"]
            ),
            summary=Summary(
                text=str(s["text"]), sentences=tuple(SummarySentence(**x) for x in s["sentences"])
            ),
        )
