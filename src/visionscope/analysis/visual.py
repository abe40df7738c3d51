"""Visual statistics on small YUV samples: named dominant colours, brightness, motion."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

#: The colour names scenes are described with, in the order of the index `name_pixels` returns.
COLOR_NAMES = (
    "black",
    "white",
    "grey",
    "red",
    "orange",
    "brown",
    "yellow",
    "green",
    "cyan",
    "blue",
    "purple",
    "pink",
)
_IDX = {name: i for i, name in enumerate(COLOR_NAMES)}
#: Mean absolute luma change between frames (0..255) that counts as full motion.
MOTION_FULL_SCALE = 24.0

I16 = npt.NDArray[np.int16]
U8 = npt.NDArray[np.uint8]
F32 = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class ColorShare:
    """A named colour and the share of the scene's pixels it covers (0..1)."""

    name: str
    share: float


def yuv_to_rgb(grid: I16, *, bt709: bool, full_range: bool) -> F32:
    """Convert a Y, U, V sample grid (3, h, w) to RGB in 0..1 (shape (h, w, 3))."""
    yf = grid[0].astype(np.float32)
    uf = grid[1].astype(np.float32) - 128.0
    vf = grid[2].astype(np.float32) - 128.0
    if full_range:
        yf = yf / 255.0
        uf, vf = uf / 255.0, vf / 255.0
    else:
        yf = (yf - 16.0) / 219.0
        uf, vf = uf / 224.0, vf / 224.0
    if bt709:
        r = yf + 1.5748 * vf
        g = yf - 0.1873 * uf - 0.4681 * vf
        b = yf + 1.8556 * uf
    else:
        r = yf + 1.402 * vf
        g = yf - 0.3441 * uf - 0.7141 * vf
        b = yf + 1.772 * uf
    rgb: F32 = np.clip(np.stack([r, g, b], axis=-1), 0.0, 1.0).astype(np.float32)
    return rgb


def name_pixels(rgb: F32) -> npt.NDArray[np.intp]:
    """Index into `COLOR_NAMES` for every pixel of an RGB array in 0..1."""
    flat = rgb.reshape(-1, 3)
    r, g, b = flat[:, 0], flat[:, 1], flat[:, 2]
    mx = flat.max(axis=1)
    mn = flat.min(axis=1)
    c = mx - mn
    s = np.where(mx > 0, c / np.maximum(mx, 1e-6), 0.0)
    safe_c = np.maximum(c, 1e-6)
    h = (
        np.where(
            mx == r,
            ((g - b) / safe_c) % 6.0,
            np.where(mx == g, (b - r) / safe_c + 2.0, (r - g) / safe_c + 4.0),
        )
        * 60.0
    )
    out = np.full(flat.shape[0], _IDX["grey"], dtype=np.intp)
    chroma = (s >= 0.2) & (c >= 0.08)
    # Hue bands for saturated pixels.
    bands: list[tuple[float, float, str]] = [
        (0, 12, "red"),
        (340, 361, "red"),
        (12, 40, "orange"),
        (40, 70, "yellow"),
        (70, 170, "green"),
        (170, 200, "cyan"),
        (200, 255, "blue"),
        (255, 290, "purple"),
        (290, 340, "pink"),
    ]
    for lo, hi, name in bands:
        out[chroma & (h >= lo) & (h < hi)] = _IDX[name]
    red = out == _IDX["red"]
    out[red & (mx > 0.75) & (s < 0.55)] = _IDX["pink"]
    out[(out == _IDX["orange"]) & (mx < 0.65)] = _IDX["brown"]
    out[(out == _IDX["yellow"]) & (mx < 0.5)] = _IDX["green"]
    out[(out == _IDX["pink"]) & (mx <= 0.6)] = _IDX["purple"]
    grey = ~chroma
    out[grey & (mx > 0.85)] = _IDX["white"]
    out[grey & (mx < 0.3)] = _IDX["black"]
    out[mx < 0.16] = _IDX["black"]
    return out


def dominant_colors(
    samples: Sequence[I16],
    *,
    bt709: bool,
    full_range: bool,
    min_share: float = 0.05,
    top: int = 3,
) -> tuple[ColorShare, ...]:
    """The most common colour names over the given YUV sample grids (3, h, w), largest share first."""
    if not samples:
        return ()
    counts = np.zeros(len(COLOR_NAMES), dtype=np.int64)
    for grid in samples:
        counts += np.bincount(
            name_pixels(yuv_to_rgb(grid, bt709=bt709, full_range=full_range)), minlength=len(COLOR_NAMES)
        )
    total = int(counts.sum())
    order = np.argsort(-counts, kind="stable")
    shares = [(COLOR_NAMES[int(i)], float(counts[i]) / total) for i in order[:top]]
    return tuple(ColorShare(name, round(share, 3)) for name, share in shares if share >= min_share)


def brightness_level(mean_luma: float, *, full_range: bool) -> float:
    """Mean luma (0..255 code values) as brightness 0..1."""
    level = mean_luma / 255.0 if full_range else (mean_luma - 16.0) / 219.0
    return round(min(1.0, max(0.0, level)), 3)


def motion_level(mean_abs_luma_change: float) -> float:
    """Mean absolute frame-to-frame luma change as motion 0..1 (0 still, 1 very busy)."""
    return round(min(1.0, max(0.0, mean_abs_luma_change / MOTION_FULL_SCALE)), 3)
