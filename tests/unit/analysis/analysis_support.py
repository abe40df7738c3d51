"""Helpers of the analysis tests: generated media with ground truth (tests/media/generate.py), and
the measures the assertions use (cut F1, word recall, word error rate)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.media import generate
from tests.media.measures import (
    cut_f1,
    matched_transitions,
    normalised_wer,
    normalised_words,
    wer,
    word_recall,
    words,
)

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


__all__ = [
    "BRIEFING_SPEC",
    "REPO",
    "SPECS",
    "Media",
    "cut_f1",
    "make_video",
    "matched_transitions",
    "normalised_wer",
    "normalised_words",
    "wer",
    "word_recall",
    "words",
]
