"""The shot boundary detector on synthetic frame grids whose transitions are known exactly."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from visionscope.analysis.shots import Boundary, ShotDetector, ShotParams, detect_boundaries

FPS = 25
RNG = np.random.default_rng(11)


def _picture(seed: int) -> np.ndarray:
    """A YUV grid (3, 90, 160) of smooth shapes with some grain, like a photographed scene."""
    rng = np.random.default_rng(seed)
    coarse = rng.integers(20, 235, size=(3, 6, 10)).astype(np.uint8)
    smooth = [np.asarray(Image.fromarray(c).resize((160, 90), Image.Resampling.BICUBIC)) for c in coarse]
    big = np.stack(smooth).astype(np.float32)
    return big + rng.normal(0, 3, size=big.shape).astype(np.float32)


def _moving(picture: np.ndarray, n: int, speed: int = 0) -> list[np.ndarray]:
    """Fresh grain each frame (a fixed camera) and, with `speed`, a pan of that many samples a frame."""
    return [np.roll(picture, k * speed, axis=2) + RNG.normal(0, 2, size=picture.shape) for k in range(n)]


def _grids(frames: list[np.ndarray]) -> list[tuple[float, np.ndarray]]:
    return [(i / FPS, np.clip(f, 0, 255).astype(np.int16)) for i, f in enumerate(frames)]


def _one(found: list[Boundary]) -> Boundary:
    assert len(found) == 1, found
    return found[0]


def test_a_hard_cut_in_moving_footage() -> None:
    frames = _moving(_picture(1), 75, speed=1) + _moving(_picture(2), 75, speed=1)
    cut = _one(detect_boundaries(_grids(frames)))
    assert cut.kind == "cut" and cut.time == pytest.approx(3.0)


def test_a_dissolve_is_one_boundary_at_its_middle_with_its_span() -> None:
    a, b = _moving(_picture(3), 100), _moving(_picture(4), 100)
    span = 25  # one second: frames 50..74 mix a into b
    frames = a[:50]
    frames += [(1 - (k + 1) / (span + 1)) * a[50 + k] + (k + 1) / (span + 1) * b[k] for k in range(span)]
    frames += b[span:]
    found = _one(detect_boundaries(_grids(frames)))
    assert found.kind == "dissolve"
    assert found.time == pytest.approx(2.5, abs=0.25)
    assert found.start == pytest.approx(2.0, abs=0.25) and found.end == pytest.approx(3.0, abs=0.25)


def test_a_fade_through_black() -> None:
    a, b = _moving(_picture(5), 80), _moving(_picture(6), 80)
    black = np.zeros_like(a[0]) + 16
    out = [black + (a[60 + k] - 16) * (1 - (k + 1) / 13) for k in range(12)]
    into = [black + (b[k] - 16) * ((k + 1) / 13) for k in range(12)]
    frames = a[:60] + out + [black] * 5 + into + b[12:]
    found = _one(detect_boundaries(_grids(frames)))
    assert found.kind == "fade"
    assert found.time == pytest.approx((60 + 12 + 2) / FPS, abs=0.15)
    assert found.start <= 60 / FPS + 0.1 and found.end >= (60 + 17 + 11) / FPS - 0.1


def test_a_wipe() -> None:
    a, b = _moving(_picture(7), 100), _moving(_picture(8), 100)
    frames = a[:50]
    for k in range(20):  # the new picture comes in from the left, 8 columns a frame
        mixed = a[50 + k].copy()
        mixed[:, :, : 8 * (k + 1)] = b[k][:, :, : 8 * (k + 1)]
        frames.append(mixed)
    frames += b[20:]
    found = _one(detect_boundaries(_grids(frames)))
    assert found.kind == "wipe"
    assert found.time == pytest.approx(2.4, abs=0.3)


def test_a_flash_and_the_first_frames_are_not_scenes() -> None:
    picture = _picture(9)
    frames = [np.zeros_like(picture) + 16] * 2 + _moving(picture, 60)  # black first frames
    frames[40] = frames[41] = np.zeros_like(picture) + 235  # a two-frame flash
    assert detect_boundaries(_grids(frames)) == []


def test_steady_motion_and_a_slow_light_change_are_no_boundary() -> None:
    picture = _picture(10)
    pan = _moving(picture, 150, speed=2)
    dimming = [f * (1 - 0.1 * k / 150) for k, f in enumerate(pan)]
    assert detect_boundaries(_grids(dimming)) == []


def test_a_short_shot_stays_when_longer_than_the_minimum() -> None:
    frames = _moving(_picture(11), 50, 1) + _moving(_picture(12), 8, 1) + _moving(_picture(13), 50, 1)
    found = detect_boundaries(_grids(frames))
    assert [b.kind for b in found] == ["cut", "cut"]
    assert [b.time for b in found] == pytest.approx([2.0, 2.32])
    shorter = detect_boundaries(_grids(frames), ShotParams(min_scene_seconds=0.4))
    assert [b.time for b in shorter] == pytest.approx([2.0])


def test_decisions_keep_up_with_the_frames_whatever_the_picture() -> None:
    """The scan holds frames back until the detector's horizon: it must follow the frames closely,
    also through a long slow blend that looks like a dissolve at every moment."""
    a, b = _picture(14), _picture(15)
    frames = [(1 - abs((k % 200) - 100) / 100) * a + abs((k % 200) - 100) / 100 * b for k in range(750)]
    detector = ShotDetector()
    lags = []
    for time, grid in _grids(frames):
        detector.push(time, grid)
        lags.append(time - detector.horizon)
    assert max(lags[100:]) < 6.5  # a run of gradual change is given up after 3.5 s
    assert len(detector._frames) < 200  # the buffer stays bounded
