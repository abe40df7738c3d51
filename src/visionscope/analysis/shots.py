"""Adaptive hard-cut detection on frame-difference scores.

A frame is a cut when its difference to the previous frame is both large in absolute terms
and several times the average difference of the frames around it. The second condition is
what a fixed threshold lacks: busy footage (noise, camera motion) has large differences on
every frame and gives no cut, while a quiet scene's small change is still noticed.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CutParams:
    """Parameters of the adaptive detector."""

    ratio: float = 3.0
    """A cut's score must be at least this many times the mean score of its neighbours."""
    min_score: float = 8.0
    """A cut's score (mean absolute YUV difference, 0..255) must be at least this."""
    window: int = 2
    """Neighbours on each side taken into the mean."""
    min_scene_seconds: float = 0.5
    """No second cut within this time after a cut."""


class CutDetector:
    """Feed frames' (time, score) pairs in order; collects decided frames as cuts or not.

    A decision on a frame needs `window` frames after it, so `push` returns the decision
    on the frame `window` places back (or nothing yet) and `finish` returns the rest.
    """

    def __init__(self, params: CutParams | None = None) -> None:
        self.params = params or CutParams()
        self._past: deque[float] = deque(maxlen=self.params.window)
        self._pending: deque[tuple[float, float]] = deque()
        self._last_cut = float("-inf")
        self._decided = 0
        self.cuts: list[float] = []

    def push(self, time: float, score: float) -> list[bool]:
        """Add the next frame; return decisions (True = cut before that frame) now possible."""
        self._pending.append((time, score))
        if len(self._pending) <= self.params.window:
            return []
        return [self._decide_next()]

    def finish(self) -> list[bool]:
        """Decide the frames still waiting for neighbours."""
        out: list[bool] = []
        while self._pending:
            out.append(self._decide_next())
        return out

    def _decide_next(self) -> bool:
        time, score = self._pending.popleft()
        future = [s for _, s in list(self._pending)[: self.params.window]]
        neighbours = list(self._past) + future
        self._past.append(score)
        first = self._decided == 0
        self._decided += 1
        if first or score < self.params.min_score:
            return False
        mean = sum(neighbours) / len(neighbours) if neighbours else 0.0
        if score < self.params.ratio * mean:
            return False
        if time - self._last_cut < self.params.min_scene_seconds:
            return False
        self._last_cut = time
        self.cuts.append(time)
        return True


def detect_cuts(samples: list[tuple[float, float]], params: CutParams | None = None) -> list[float]:
    """Cut times of a whole sequence of (time, score) pairs."""
    detector = CutDetector(params)
    for time, score in samples:
        detector.push(time, score)
    detector.finish()
    return detector.cuts
