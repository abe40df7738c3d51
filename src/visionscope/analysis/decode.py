"""Opening a video stream for decoding, and sampling each decoded frame on a small grid.

Planar YUV frames are read through numpy views of their planes (no conversion), which costs
microseconds; other pixel formats are converted to a small YUV 4:4:4 picture first. The shot
detector, brightness, motion and colours all work on these grids.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import av
import av.container
import numpy as np

from .errors import MediaRejected
from .visual import I16, U8

#: Planar YUV formats whose planes are read directly; others are converted first.
_PLANAR = {
    "yuv420p",
    "yuvj420p",
    "yuv422p",
    "yuvj422p",
    "yuv444p",
    "yuvj444p",
    "yuv440p",
    "yuvj440p",
    "yuv411p",
    "yuv410p",
}


def _plane(plane: Any) -> U8:
    """A numpy view of a picture plane (rows of `line_size` bytes)."""
    view: U8 = np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)
    return view


def grid(frame: av.VideoFrame, width: int) -> I16:
    """Y, U, V sampled on one aligned grid about `width` samples wide, as an int16 array (3, h, w).

    Planar YUV frames are read through numpy views of their planes (no conversion); other
    pixel formats are first converted to a small YUV 4:4:4 picture.
    """
    if frame.format.name not in _PLANAR:
        gw = min(width, frame.width)
        gh = max(1, round(frame.height * gw / frame.width))
        small = frame.reformat(width=gw, height=gh, format="yuv444p")
        planes = [_plane(p)[:, :gw] for p in small.planes]
        return np.stack(planes).astype(np.int16)
    py, pu, pv = frame.planes[0], frame.planes[1], frame.planes[2]
    sx = max(1, round(py.width / pu.width))
    sy = max(1, round(py.height / pu.height))
    base = max(sx, sy)
    step = max(base, round(frame.width / width / base) * base)
    y = _plane(py)[::step, : py.width : step]
    u = _plane(pu)[:: step // sy, : pu.width : step // sx]
    v = _plane(pv)[:: step // sy, : pv.width : step // sx]
    h, w = min(y.shape[0], u.shape[0]), min(y.shape[1], u.shape[1])
    out = np.empty((3, h, w), dtype=np.int16)
    out[0] = y[:h, :w]
    out[1] = u[:h, :w]
    out[2] = v[:h, :w]
    return out


def luma_change(grid: I16, prev: I16 | None) -> float:
    """Mean absolute luma change between two frames' grids."""
    if prev is None or prev.shape != grid.shape:
        return 0.0
    return float(np.abs(grid[0] - prev[0]).mean())


def open_video(
    path: Path, skip_nonref: bool, threads: int = 0
) -> tuple[av.container.InputContainer, av.VideoStream]:
    try:
        container = av.open(str(path), mode="r")
    except av.error.FFmpegError as exc:
        raise MediaRejected("The file is not a video FFmpeg can decode.") from exc
    if not container.streams.video:
        container.close()
        raise MediaRejected("The file has no video stream.")
    stream = container.streams.video[0]
    stream.thread_type = "AUTO"
    stream.codec_context.thread_count = threads
    if skip_nonref:
        stream.codec_context.skip_frame = "NONREF"
    return container, stream
