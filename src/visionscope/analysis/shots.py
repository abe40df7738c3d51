"""Shot boundaries and their kind: hard cuts, dissolves, fades through black and wipes.

The detector is fed each decoded frame's small YUV grid in order and finds:

- **cuts**: a frame whose difference to the previous one is large and several times the
  difference of the frames around it; or, in busy footage where every frame differs, at least
  twice that and with a colour histogram that jumps several times more than around it;
- **dissolves**: two frames about half a second (and one second) either side of a frame differ
  a lot, no single frame in between carries that change, and the frame in the middle is close
  to the mean of the two (a mix of both pictures): motion gives no such mean;
- **wipes**: the same, but each sample of the middle frame equals one side or the other;
- **fades through black**: a short run of dark, flat frames between two lit shots.

Each gradual transition is one boundary, at its middle, with its span. Boundaries closer than
`merge_seconds` are one (a fade beats a cut, a cut beats a gradual one) and a scene is never
shorter than `min_scene_seconds` (flashes and a video's first frames are not scenes).
Decisions lag the decoded frames by about two seconds; `horizon` says up to when they are final.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from .shot_rules import (
    F32,
    I16,
    Boundary,
    Gradual,
    ShotParams,
    choose_boundaries,
    dist,
    frame_difference,
    half_grid,
    histogram,
)

__all__ = ["Boundary", "ShotDetector", "ShotParams", "detect_boundaries", "frame_difference"]


@dataclass(slots=True)
class _Frame:
    time: float
    grid: I16
    small: F32
    score: float
    hist: F32 | None
    luma: float
    dark: bool


class ShotDetector:
    """Feed (time, grid) in order with `push`, then `finish`; read `boundaries` (final up to `horizon`)."""

    def __init__(self, params: ShotParams | None = None) -> None:
        self.p = params or ShotParams()
        self._frames: list[_Frame] = []
        self._base = 0  # absolute index of _frames[0]
        self._next_cut = 1
        self._next_gradual = 0
        self._run: list[tuple[int, float, Gradual, float]] = []
        self._run_gap = 0
        self._motion = False
        self._black_from: int | None = None
        self._lit_seen = False
        self._fades: list[tuple[int, int]] = []  # black runs waiting for the frames after them
        self._proposed: list[Boundary] = []
        self._last = 0.0
        self._ended = False
        self.boundaries: list[Boundary] = []

    # -- feeding -----------------------------------------------------------------------------

    def push(self, time: float, grid: I16) -> None:
        prev = self._frames[-1] if self._frames else None
        score = frame_difference(grid, prev.grid if prev is not None else None)
        luma = float(grid[0].mean())
        dark = luma < self.p.dark_luma and float(grid[0].std()) < self.p.dark_spread
        small = half_grid(grid)
        self._frames.append(_Frame(time, grid, small, score, None, luma, dark))
        self._track_black(len(self._frames) - 1 + self._base)
        self._advance()

    def finish(self, end_time: float) -> None:
        self._ended = True
        self._advance()
        if self._black_from is not None:
            self._black_from = None  # black to the end: no shot after it
        self._close_run()
        self._settle(end_time, final=True)

    @property
    def horizon(self) -> float:
        """Frames before this time will get no other boundary."""
        if self._ended:
            return float("inf")
        waiting = min((b.time for b in self._proposed), default=float("inf"))
        return min(self._raw_horizon() - self.p.merge_seconds, waiting)

    # -- internals ---------------------------------------------------------------------------

    def _at(self, index: int) -> _Frame:
        return self._frames[index - self._base]

    def _count(self) -> int:
        return self._base + len(self._frames)

    def _raw_horizon(self) -> float:
        pending = [self._next_cut, self._next_gradual]
        if self._run:
            pending.append(self._run[0][0])
        if self._black_from is not None:
            pending.append(self._black_from)
        pending += [start for start, _ in self._fades]
        first = min(pending)
        return self._at(first).time if first < self._count() else self._frames[-1].time

    def _advance(self) -> None:
        n = self._count()
        last = self._frames[-1].time
        while self._next_cut < n and (
            self._ended
            or (
                self._next_cut + 4 * self.p.window < n
                and self._at(self._next_cut).time + self.p.min_scene_seconds < last
            )
        ):
            self._decide_cut(self._next_cut)
            self._next_cut += 1
        reach = 2 * max(self.p.gradual_windows)
        while self._next_gradual < n and (self._ended or self._at(self._next_gradual).time + reach <= last):
            self._decide_gradual(self._next_gradual)
            self._next_gradual += 1
        self._check_fades()
        self._settle(last, final=False)
        self._trim()

    def _decide_cut(self, i: int) -> None:
        f = self._at(i)
        if f.score < self.p.min_score:
            return
        # the nearest neighbours that are new pictures (repeated frames of low-rate footage say nothing)
        w = self.p.window
        before = [j for j in range(i - 1, max(self._base, i - 4 * w) - 1, -1) if self._at(j).score >= 0.5]
        after = [j for j in range(i + 1, min(self._count(), i + 4 * w + 1)) if self._at(j).score >= 0.5]
        around = before[:w] + after[:w]
        mean = sum(self._at(j).score for j in around) / len(around) if around else 0.0
        sharp = f.score >= self.p.ratio * mean
        busy = False
        if not sharp and f.score >= self.p.busy_ratio * mean:
            jump = self._hist_change(i)
            if jump >= self.p.min_hist:
                changes = [self._hist_change(j) for j in around]
                busy = jump >= self.p.hist_ratio * sum(changes) / len(changes)
        if (sharp or busy) and not self._flash(i):
            self._proposed.append(Boundary(f.time, "cut", f.time, f.time, f.score))

    def _hist_change(self, i: int) -> float:
        """How much the colour histogram changes from the frame before (0..1), computed when asked."""
        if i - 1 < self._base:
            return 0.0
        for j in (i - 1, i):
            f = self._at(j)
            if f.hist is None:
                f.hist = histogram(f.grid)
        a, b = self._at(i - 1).hist, self._at(i).hist
        assert a is not None and b is not None
        return 0.5 * float(np.abs(b - a).sum())

    def _flash(self, i: int) -> bool:
        """True when the picture comes back within `min_scene_seconds`: a flash, not a new shot."""
        f, near = self._at(i), self.p.min_scene_seconds
        before = self._at(i - 1).grid
        for j in range(i + 1, self._count()):
            g = self._at(j)
            if g.time - f.time > near:
                break
            if frame_difference(g.grid, before) < 0.3 * f.score:
                return True
        for k in range(i - 2, self._base - 1, -1):
            g = self._at(k)
            if f.time - g.time > near:
                break
            if frame_difference(f.grid, g.grid) < 0.3 * f.score:
                return True
        return False

    def _side(self, i: int, seconds: float) -> tuple[int, int] | None:
        t = self._at(i).time
        a = next((j for j in range(i, self._base - 1, -1) if self._at(j).time <= t - seconds), None)
        b = next((j for j in range(i, self._count()) if self._at(j).time >= t + seconds), None)
        return None if a is None or b is None else (a, b)

    def _decide_gradual(self, i: int) -> None:
        best: tuple[float, Gradual, float] | None = None
        m = self._at(i).small
        for seconds in self.p.gradual_windows:
            sides = self._side(i, seconds)
            if sides is None:
                continue
            a, b = self._at(sides[0]).small, self._at(sides[1]).small
            if a.shape != m.shape or b.shape != m.shape:
                continue
            change = dist(a, b)
            if change < self.p.min_gradual or (best is not None and change <= best[0]):
                continue
            biggest = max(self._at(j).score for j in range(sides[0] + 1, sides[1] + 1))
            if biggest >= self.p.max_cut_share * change:
                continue
            to_a, to_b = np.abs(m - a).sum(axis=0), np.abs(m - b).sum(axis=0)
            if min(float(to_a.mean()), float(to_b.mean())) < self.p.middle_share * change:
                continue  # the middle frame is still (or already) one side's picture
            steady = self._steadiness(i, seconds) / change
            mixed = dist(m, (a + b) / 2) / change
            if (mixed <= self.p.dissolve_residual and steady < self.p.steady_share) or (
                mixed <= self.p.loose_dissolve_residual and steady < self.p.strict_steady_share
            ):
                best = (change, "dissolve", seconds)
                continue
            if steady >= self.p.strict_steady_share:
                continue
            mixed *= change
            either = float(np.minimum(to_a, to_b).mean())
            if either <= self.p.wipe_residual * change and mixed >= 0.4 * change:
                # part of the picture is already the next shot, part still the last one
                share = float(np.mean(to_a < to_b))
                if self.p.wipe_balance <= share <= 1 - self.p.wipe_balance:
                    best = (change, "wipe", seconds)
        if best is not None and self._motion:
            return  # still inside a run too long to be a transition
        if best is not None:
            self._run.append((i, best[0], best[1], best[2]))
            self._run_gap = 0
            if self._at(i).time - self._at(self._run[0][0]).time > self.p.max_transition_seconds:
                self._run, self._motion = [], True  # motion: drop it now, hold no frames back for it
        else:
            self._motion = False
            if self._run:
                self._run_gap += 1
                if self._run_gap > 2:
                    self._close_run()

    def _steadiness(self, i: int, seconds: float) -> float:
        """How much the picture changed over `seconds` just before the compared window, or just
        after it, whichever is less. A transition comes between shots: on one side at least the
        picture is steadier than across the transition; a picture that keeps changing (a moving
        gradient, a pan) is motion. Near the start or end of the video only one side is seen."""
        sides = self._side(i, seconds)
        if sides is None:
            return 0.0
        t = self._at(i).time
        pairs = []
        outer = next(
            (j for j in range(sides[0], self._base - 1, -1) if self._at(j).time <= t - 2 * seconds), None
        )
        if outer is not None:
            pairs.append((outer, sides[0]))
        outer = next((j for j in range(sides[1], self._count()) if self._at(j).time >= t + 2 * seconds), None)
        if outer is not None:
            pairs.append((sides[1], outer))
        moved = [
            dist(self._at(x).small, self._at(y).small)
            for x, y in pairs
            if self._at(x).small.shape == self._at(y).small.shape
        ]
        return min(moved, default=0.0)

    def _close_run(self) -> None:
        run, self._run, self._run_gap = self._run, [], 0
        if not run:
            return
        first, last = self._at(run[0][0]).time, self._at(run[-1][0]).time
        if last - first > self.p.max_transition_seconds:
            return
        peak = max(run, key=lambda r: r[1])
        kind = Counter(r[2] for r in run).most_common(1)[0][0]
        start, end = self._span(peak[0], peak[3])
        self._proposed.append(Boundary(self._at(peak[0]).time, kind, start, end, peak[1]))

    def _span(self, i: int, seconds: float) -> tuple[float, float]:
        """Where the mix of the two sides around frame `i` leaves the first and reaches the second."""
        sides = self._side(i, seconds) or (max(self._base, i - 1), min(self._count() - 1, i + 1))
        a, b = self._at(sides[0]).small, self._at(sides[1]).small
        axis = (b - a).ravel()
        norm = float(axis @ axis) or 1.0
        start, end = self._at(sides[0]).time, self._at(sides[1]).time
        cuts = [b.time for b in [*self.boundaries, *self._proposed] if b.kind == "cut"]
        for j in range(sides[0], sides[1] + 1):
            f = self._at(j)
            if f.small.shape != a.shape:
                continue
            if f.time in cuts:  # the transition is on one side of a cut
                if j <= i:
                    start = f.time
                else:
                    end = self._at(j - 1).time
                    break
            mix = float((f.small - a).ravel() @ axis) / norm
            if mix <= 0.1 and j <= i:
                start = f.time
            if mix >= 0.9 and j >= i:
                end = f.time
                break
        return round(start, 3), round(end, 3)

    def _track_black(self, i: int) -> None:
        f = self._at(i)
        if f.dark:
            if self._black_from is None and self._lit_seen:
                self._black_from = i
            return
        if self._black_from is not None:
            start, end = self._black_from, i - 1
            self._black_from = None
            if self._at(end).time - self._at(start).time <= self.p.max_black_seconds:
                self._fades.append((start, end))
        self._lit_seen = True

    def _check_fades(self) -> None:
        last = self._frames[-1].time
        for start, end in list(self._fades):
            if not self._ended and self._at(end).time + self.p.fade_reach_seconds > last:
                continue
            self._fades.remove((start, end))
            middle = (self._at(start).time + self._at(end).time) / 2
            pick = min(range(start, end + 2), key=lambda j: abs(self._at(j).time - middle))
            self._proposed.append(
                Boundary(
                    self._at(pick).time, "fade", self._fade_edge(start, -1), self._fade_edge(end, 1), 1e9
                )
            )

    def _fade_edge(self, i: int, step: int) -> float:
        """Follow the luma out of the black frames while it keeps rising (the fade's span)."""
        reach = self.p.fade_reach_seconds
        t0 = self._at(i).time
        j = i
        while self._base <= j + step < self._count():
            nxt = self._at(j + step)
            if abs(nxt.time - t0) > reach or nxt.luma < self._at(j).luma + 0.3:
                break
            j += step
        return round(self._at(j).time, 3)

    def _settle(self, end_time: float, *, final: bool) -> None:
        """Resolve proposals no later one can merge with into boundaries."""
        horizon = float("inf") if final else self._raw_horizon()
        self._proposed.sort(key=lambda b: b.time)
        while self._proposed:
            size, reach = 1, self._proposed[0].end
            while size < len(self._proposed) and (
                self._proposed[size].time - self._proposed[size - 1].time < self.p.merge_seconds
                or self._proposed[size].start <= reach
            ):
                reach = max(reach, self._proposed[size].end)
                size += 1
            if not final and max(reach, self._proposed[size - 1].time) + self.p.merge_seconds >= horizon:
                return
            group, self._proposed = self._proposed[:size], self._proposed[size:]
            for chosen in choose_boundaries(group, self.boundaries[-2:], self.p):
                far_from_last = chosen.time - self._last >= self.p.min_scene_seconds
                if far_from_last and (not final or end_time - chosen.time >= self.p.min_scene_seconds):
                    self.boundaries.append(chosen)
                    self._last = chosen.time

    def _trim(self) -> None:
        keep_from = min(
            self._next_cut - 4 * self.p.window - 1,
            self._next_gradual,
            self._run[0][0] if self._run else self._count(),
            self._black_from if self._black_from is not None else self._count(),
            min((s for s, _ in self._fades), default=self._count()),
        )
        # keep what the look-backs need: the widest window and a fade's reach
        back = max(2 * max(self.p.gradual_windows), self.p.fade_reach_seconds) + 0.1
        t = self._at(max(self._base, min(keep_from, self._count() - 1))).time - back
        drop = 0
        while drop < len(self._frames) - 1 and self._frames[drop].time < t and self._base + drop < keep_from:
            drop += 1
        if drop > 64:
            del self._frames[:drop]
            self._base += drop


def detect_boundaries(frames: list[tuple[float, I16]], params: ShotParams | None = None) -> list[Boundary]:
    """Boundaries of a whole sequence of (time, grid) frames."""
    detector = ShotDetector(params)
    for time, grid in frames:
        detector.push(time, grid)
    detector.finish(frames[-1][0] + 1 / 25 if frames else 0.0)
    return detector.boundaries
