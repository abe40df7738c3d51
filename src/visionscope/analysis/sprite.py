"""The timeline sprite: small frames at regular times in one JPEG, and its WebVTT thumbnails track."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import av
import numpy as np
from PIL import Image

from .probe import MediaInfo
from .results import Sprite


def even(x: float) -> int:
    """`x` rounded to an even number of at least 2 (picture sizes for YUV 4:2:0)."""
    return max(2, round(x / 2) * 2)


class SpriteMaker:
    """Collects a small picture every `interval` seconds into one grid image."""

    def __init__(self, info: MediaInfo, sprite_tile_width: int, columns: int, max_tiles: int) -> None:
        self.tile_w = sprite_tile_width
        self.tile_h = even(self.tile_w * info.height / info.width)
        self.interval = max(1.0, info.duration / max_tiles)
        self.cols = columns
        self.max_tiles = max_tiles
        self.tiles: list[Any] = []
        self.next_time = 0.0

    def offer(self, time: float, frame: av.VideoFrame) -> None:
        if time + 1e-6 < self.next_time or len(self.tiles) >= self.max_tiles:
            return
        small = frame.reformat(width=self.tile_w, height=self.tile_h, format="rgb24")
        self.tiles.append(small.to_ndarray())
        self.next_time = len(self.tiles) * self.interval

    def save(self, out_dir: Path) -> Sprite | None:
        if not self.tiles:
            return None
        rows = math.ceil(len(self.tiles) / self.cols)
        cols = min(self.cols, len(self.tiles))
        canvas = np.zeros((rows * self.tile_h, cols * self.tile_w, 3), dtype=np.uint8)
        for i, tile in enumerate(self.tiles):
            r, c = divmod(i, self.cols)
            canvas[r * self.tile_h : (r + 1) * self.tile_h, c * self.tile_w : (c + 1) * self.tile_w] = tile
        Image.fromarray(canvas).save(out_dir / "sprite.jpg", "JPEG", quality=75)
        return Sprite(
            path="sprite.jpg",
            tile_width=self.tile_w,
            tile_height=self.tile_h,
            columns=cols,
            count=len(self.tiles),
            interval=self.interval,
        )


def write_sprite_vtt(sprite: Sprite, path: str | Path, *, url: str | None = None) -> None:
    """A WebVTT thumbnails track for players: each interval points at its tile (`url#xywh=...`)."""
    image = url or sprite.path
    lines = ["WEBVTT", ""]
    for i in range(sprite.count):
        r, c = divmod(i, sprite.columns)
        start, end = i * sprite.interval, (i + 1) * sprite.interval
        lines.append(f"{_stamp(start)} --> {_stamp(end)}")
        lines.append(
            f"{image}#xywh={c * sprite.tile_width},{r * sprite.tile_height},"
            f"{sprite.tile_width},{sprite.tile_height}"
        )
        lines.append("")
    Path(path).write_text("\n".join(lines), encoding="utf-8")


def _stamp(seconds: float) -> str:
    ms = round(seconds * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"
