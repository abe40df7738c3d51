"""Media for the end-to-end tests, made once a session by tests/media/generate.py (exact ground truth)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.media import generate

REPO = Path(__file__).resolve().parents[2]
SPECS = REPO / "tests" / "media"


@dataclass
class SampleVideo:
    path: Path
    truth: dict[str, Any]


def make_video(
    spec: Path, out: Path, name: str, *, width: int = 640, height: int = 360, fps: int = 25
) -> SampleVideo:
    path = generate.make_video(spec, out, name, width=width, height=height, fps=fps)
    return SampleVideo(path, json.loads(path.with_suffix(".json").read_text()))


@pytest.fixture(scope="session")
def short_video(tmp_path_factory: pytest.TempPathFactory) -> SampleVideo:
    """15 seconds, three scenes with known text and speech."""
    return make_video(SPECS / "e2e.spec", tmp_path_factory.mktemp("e2e-media"), "e2e")
