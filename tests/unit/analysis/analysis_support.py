"""Helpers of the analysis tests: generated media with ground truth (tests/media/generate.py), and
the measures the assertions use (cut F1, word recall, word error rate)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests.media import generate

REPO = Path(__file__).resolve().parents[3]
SPECS = REPO / "tests" / "media"
BRIEFING_SPEC = SPECS / "briefing.spec"


class Media:
    """A generated video and its ground truth."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.truth: dict[str, Any] = json.loads(path.with_suffix(".json").read_text())


def make_video(spec: Path, out: Path, name: str, *, width: int, height: int, fps: int) -> Media:
    return Media(generate.make_video(spec, out, name, width=width, height=height, fps=fps))


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def wer(ref: str, hyp: str) -> float:
    r, h = words(ref), words(hyp)
    d = list(range(len(h) + 1))
    for i in range(1, len(r) + 1):
        prev, d[0] = d[0], i
        for j in range(1, len(h) + 1):
            cur = min(d[j] + 1, d[j - 1] + 1, prev + (r[i - 1] != h[j - 1]))
            prev, d[j] = d[j], cur
    return d[len(h)] / max(1, len(r))


def cut_f1(found: list[float], truth: list[float], tolerance: float = 0.5) -> float:
    hits = sum(any(abs(c - t) <= tolerance for c in found) for t in truth)
    precision = hits / max(1, len(found))
    recall = hits / max(1, len(truth))
    return 2 * precision * recall / max(1e-9, precision + recall)


def word_recall(expected_lines: list[str], shown: str) -> float:
    want = [w for line in expected_lines for w in words(line)]
    got = set(words(shown))
    return sum(w in got for w in want) / max(1, len(want))


def matched_transitions(
    found: list[tuple[float, str]], truth: list[dict[str, Any]], tolerance: float = 0.5
) -> list[tuple[dict[str, Any], str]]:
    """Each true transition paired with the kind of the found boundary matched to it (one to one)."""
    used: set[int] = set()
    pairs = []
    for t in truth:
        for n, (time, kind) in enumerate(found):
            if n not in used and abs(time - t["time"]) <= tolerance:
                used.add(n)
                pairs.append((t, kind))
                break
    return pairs
