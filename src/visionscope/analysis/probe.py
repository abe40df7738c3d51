"""Identify a file as a decodable video with PyAV, or reject it with a reason a user understands."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import av
import av.container

from .errors import MediaRejected

#: Largest picture side accepted (pixels); larger headers are refused before any decoding.
MAX_SIDE = 8192
#: Container formats that hold still images, not video, even when named .mp4.
_IMAGE_FORMATS = {"image2", "gif", "apng", "webp", "ico", "tiff", "bmp", "jpegxl"}


@dataclass(frozen=True, slots=True)
class MediaInfo:
    """What the probe learnt about a video file."""

    duration: float
    width: int
    height: int
    fps: float
    has_audio: bool
    video_codec: str
    audio_codec: str | None
    subtitle_streams: int
    frame_count_estimate: int
    container: str

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MediaInfo:
        """Inverse of `to_dict`."""
        return cls(**data)


def _open(path: Path) -> av.container.InputContainer:
    try:
        return av.open(str(path), mode="r")
    except av.error.EOFError as exc:
        raise MediaRejected(
            "The file is incomplete: it ends before its first picture "
            "(it may have been cut off during upload)."
        ) from exc
    except (av.error.FFmpegError, UnicodeDecodeError) as exc:
        raise MediaRejected("The file is not a video FFmpeg can decode.") from exc


def _is_image_container(container: av.container.InputContainer) -> bool:
    name: str = container.format.name
    return name.endswith("_pipe") or name in _IMAGE_FORMATS


def _decodes_a_frame(container: av.container.InputContainer, stream: av.VideoStream, at: float) -> bool:
    """Whether a picture decodes at or after `at` seconds (seeks there first when `at` > 0)."""
    try:
        if at > 0:
            container.seek(int(at * av.time_base), backward=True, any_frame=False)
        for _ in container.decode(stream):
            return True
    except (av.error.FFmpegError, EOFError):
        return False
    return False


def probe_media(path: str | Path) -> MediaInfo:
    """Probe `path`; raise `MediaRejected` unless it is a video whose pictures decode."""
    path = Path(path)
    if not path.is_file():
        raise MediaRejected("The file does not exist.")
    if path.stat().st_size == 0:
        raise MediaRejected("The file is empty.")
    container = _open(path)
    with container:
        if _is_image_container(container):
            raise MediaRejected("The file is a still image, not a video.")
        if not container.streams.video:
            if container.streams.audio:
                raise MediaRejected("The file has no video stream: it holds only audio.")
            raise MediaRejected("The file has no video stream.")
        stream = container.streams.video[0]
        ctx = stream.codec_context
        width, height = int(ctx.width or 0), int(ctx.height or 0)
        if width <= 0 or height <= 0:
            raise MediaRejected("The video has no picture size in its header.")
        if width > MAX_SIDE or height > MAX_SIDE:
            raise MediaRejected(
                f"The video is too large: {width}x{height} pixels; the limit is {MAX_SIDE}x{MAX_SIDE}."
            )
        rate = stream.average_rate or stream.guessed_rate or stream.base_rate
        fps = float(rate) if rate else 0.0
        if not math.isfinite(fps) or fps <= 0 or fps > 1000:
            fps = 25.0
        duration = 0.0
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        own_duration = duration > 0  # the video stream's own, not the container's (audio may be longer)
        if duration <= 0 and container.duration is not None:
            duration = container.duration / av.time_base
        audio = container.streams.audio[0] if container.streams.audio else None
        subtitles = len(container.streams.subtitles)
        video_codec = ctx.name
        audio_codec = audio.codec_context.name if audio is not None else None
        frames = int(stream.frames or 0) or max(1, round(duration * fps))
        if not _decodes_a_frame(container, stream, 0.0):
            raise MediaRejected(
                "The video has no picture that can be decoded: the file is damaged or incomplete."
            )
        if own_duration and duration > 4.0 and not _decodes_a_frame(container, stream, duration - 2.0):
            raise MediaRejected(
                f"The video is cut short: it declares {duration:.1f} s but its pictures stop earlier "
                "(the file may have been truncated during upload)."
            )
        return MediaInfo(
            duration=round(max(duration, 1.0 / fps), 3),
            width=width,
            height=height,
            fps=round(fps, 3),
            has_audio=audio is not None,
            video_codec=video_codec,
            audio_codec=audio_codec,
            subtitle_streams=subtitles,
            frame_count_estimate=frames,
            container=container.format.name,
        )
