"""Media for the end-to-end tests, made once a session by the shared script (exact ground truth)."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO.parent / "shared" / "media" / "make_test_video.sh"
SPECS = REPO / "tests" / "media"


@dataclass
class SampleVideo:
    path: Path
    truth: dict[str, Any]


def make_video(
    spec: Path, out: Path, name: str, *, width: int = 640, height: int = 360, fps: int = 25
) -> SampleVideo:
    env = dict(os.environ, W=str(width), H=str(height), FPS=str(fps))
    subprocess.run(
        ["bash", str(SCRIPT), str(spec), str(out), name], check=True, env=env, stdout=subprocess.DEVNULL
    )
    path = out / f"{name}.mp4"
    return SampleVideo(path, json.loads(path.with_suffix(".json").read_text()))


@pytest.fixture(scope="session")
def short_video(tmp_path_factory: pytest.TempPathFactory) -> SampleVideo:
    """15 seconds, three scenes with known text and speech."""
    return make_video(SPECS / "e2e.spec", tmp_path_factory.mktemp("e2e-media"), "e2e")
