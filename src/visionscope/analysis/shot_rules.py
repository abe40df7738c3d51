"""The rules of shot boundaries: their parameters, what a boundary is, the measures of pictures
they use, and how overlapping proposals become boundaries. `shots.py` applies them to frames."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

I16 = npt.NDArray[np.int16]
F32 = npt.NDArray[np.float32]
Gradual = Literal["dissolve", "wipe"]
#: Luma counts double in every difference (chroma still separates equally bright colours).
_WEIGHTS = np.array([1.0, 0.5, 0.5], dtype=np.float32).reshape(3, 1, 1)


@dataclass(frozen=True, slots=True)
class ShotParams:
    """Parameters of the shot boundary detector."""

    ratio: float = 3.0
    """A cut's difference must be at least this many times the mean difference of its neighbours..."""
    min_score: float = 8.0
    """...and at least this (mean absolute YUV difference, 0..255)."""
    window: int = 2
    """Neighbours on each side taken into the mean."""
    busy_ratio: float = 2.0
    """In busy footage a cut may have only this ratio, if its colour histogram jumps too:"""
    hist_ratio: float = 3.0
    """...its histogram change this many times the mean of its neighbours', and at least `min_hist`."""
    min_hist: float = 0.15
    gradual_windows: tuple[float, ...] = (0.5, 1.0)
    """Seconds either side of a frame compared for gradual transitions."""
    min_gradual: float = 25.0
    """The two sides of a gradual transition differ by at least this."""
    middle_share: float = 0.25
    """The middle frame differs from each side by at least this share of the change."""
    steady_share: float = 0.2
    """Before or after a gradual transition the picture changes less than this share of it, over the
    same time;"""
    strict_steady_share: float = 0.15
    """a wipe (and a less clean dissolve) needs less than this share."""
    max_cut_share: float = 0.5
    """No frame-to-frame difference in between may be this share of the whole change (that is a cut)."""
    dissolve_residual: float = 0.25
    """The middle frame is within this share of the change from the mean of the sides: a dissolve,
    if the picture is steadier (`steady_share`) on one side..."""
    loose_dissolve_residual: float = 0.3
    """...or within this share, if the picture is much steadier (`strict_steady_share`) on one side."""
    wipe_residual: float = 0.2
    """Each sample of the middle frame is within this share of one side: a wipe..."""
    wipe_balance: float = 0.15
    """...with at least this share of the picture on each side."""
    max_transition_seconds: float = 3.5
    """Longer runs of gradual change are motion (pans, moving backgrounds), not a transition."""
    dark_luma: float = 30.0
    dark_spread: float = 8.0
    """A frame is black when its mean luma is under `dark_luma` and its deviation under `dark_spread`."""
    max_black_seconds: float = 4.0
    """Longer black runs are not a fade between two shots."""
    fade_reach_seconds: float = 1.5
    """How far a fade's span is followed out from its black frames."""
    merge_seconds: float = 0.6
    min_scene_seconds: float = 0.25


@dataclass(frozen=True, slots=True)
class Boundary:
    """The start of a shot: `time` is its first frame; a gradual transition spans `start`..`end`."""

    time: float
    kind: Literal["cut", "dissolve", "fade", "wipe"]
    start: float
    end: float
    strength: float = 0.0


PRIORITY = {"fade": 4, "cut": 2, "dissolve": 1, "wipe": 1}


def histogram(grid: I16) -> F32:
    grid = grid[:, ::2, ::2]
    size = grid[0].size
    parts = [
        np.bincount(np.clip(grid[0], 0, 255).ravel() >> 4, minlength=16),
        np.bincount(np.clip(grid[1], 0, 255).ravel() >> 5, minlength=8),
        np.bincount(np.clip(grid[2], 0, 255).ravel() >> 5, minlength=8),
    ]
    hist: F32 = (np.concatenate(parts) / size).astype(np.float32)
    return hist


def half_grid(grid: I16) -> F32:
    """Every other sample of a grid, as float, luma weighing double the chroma: for comparisons."""
    small: F32 = (grid[:, ::2, ::2].astype(np.float32) * _WEIGHTS).astype(np.float32)
    return small


def dist(a: npt.NDArray[np.floating[Any]], b: npt.NDArray[np.floating[Any]]) -> float:
    """Mean over the samples of the weighted absolute YUV difference of two half-size grids."""
    total: float = float(np.abs(a - b).sum())
    samples: int = a.shape[1] * a.shape[2]
    return total / samples


def frame_difference(grid: I16, prev: I16 | None) -> float:
    """Mean absolute difference of two grids, luma counting double (0..255)."""
    if prev is None or prev.shape != grid.shape:
        return 0.0
    sums = np.abs(grid - prev).reshape(3, -1).sum(axis=1) / grid[0].size
    return float(2.0 * sums[0] + sums[1] + sums[2]) / 2.0


def choose_boundaries(group: list[Boundary], earlier: list[Boundary], p: ShotParams) -> list[Boundary]:
    """The boundaries a group of overlapping proposals stands for, in time order.

    Fades first, then cuts, then gradual ones by strength; a proposal is left out when it
    is too near one taken (or one of `earlier`, boundaries already final) or either lies inside
    the other's span. A weak cut inside a gradual transition (a coarse step of a dissolve)
    gives way to it.
    """
    gradual = [b for b in group if b.kind in ("dissolve", "wipe")]

    def inside(t: float, b: Boundary, slack: float = 0.0) -> bool:
        return b.start - slack < t < b.end + slack

    def rank(b: Boundary) -> tuple[int, float]:
        if b.kind == "cut" and any(
            inside(b.time, g, 0.1) and b.strength < p.max_cut_share * g.strength for g in gradual
        ):
            return (0, b.strength)
        return (PRIORITY[b.kind], b.strength)

    def clashes(b: Boundary, t: Boundary) -> bool:
        near = p.min_scene_seconds if b.kind == t.kind == "cut" else p.merge_seconds
        if abs(b.time - t.time) < near or inside(b.time, t) or inside(t.time, b):
            return True
        # the tail of a gradual transition seen again from a window that straddles it
        both_gradual = b.kind in ("dissolve", "wipe") and t.kind in ("dissolve", "wipe")
        return both_gradual and b.start < t.end and t.start < b.end

    taken: list[Boundary] = list(earlier)
    for b in sorted(group, key=rank, reverse=True):
        if not any(clashes(b, t) for t in taken):
            taken.append(b)
    return sorted(taken[len(earlier) :], key=lambda b: b.time)
