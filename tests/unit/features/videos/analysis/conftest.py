"""Test media made at test time by the shared script (exact ground truth), and the real models."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from visionscope.features.videos.analysis import (
    AnalysisOptions,
    AnalysisResult,
    ModelPaths,
    check_models,
    run_pipeline,
)

REPO = Path(__file__).resolve().parents[5]
SCRIPT = REPO / ".." / "shared" / "media" / "make_test_video.sh"
BRIEFING_SPEC = REPO / ".." / "shared" / "media" / "briefing.spec"
SPECS = REPO / "tests" / "media"


class Media:
    """A generated video and its ground truth."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.truth: dict[str, Any] = json.loads(path.with_suffix(".json").read_text())


def make_video(spec: Path, out: Path, name: str, *, width: int, height: int, fps: int) -> Media:
    env = dict(os.environ, W=str(width), H=str(height), FPS=str(fps))
    subprocess.run(
        ["bash", str(SCRIPT), str(spec), str(out), name], check=True, env=env, stdout=subprocess.DEVNULL
    )
    return Media(out / f"{name}.mp4")


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("analysis-media")


@pytest.fixture(scope="session")
def briefing(media_dir: Path) -> Media:
    """The one-minute briefing (8 scenes), at 854x480 to keep the tests quick."""
    return make_video(BRIEFING_SPEC, media_dir, "briefing", width=854, height=480, fps=30)


@pytest.fixture(scope="session")
def mixed(media_dir: Path) -> Media:
    """640x360 at 25 fps: silent scene with small text, spoken scene without text, empty scene."""
    return make_video(SPECS / "mixed.spec", media_dir, "mixed", width=640, height=360, fps=25)


@pytest.fixture(scope="session")
def silent(media_dir: Path) -> Media:
    """426x240 at 60 fps, nothing said: the file has no audio stream."""
    return make_video(SPECS / "silent.spec", media_dir, "silent", width=426, height=240, fps=60)


@pytest.fixture(scope="session")
def analysis_models(tmp_path_factory: pytest.TempPathFactory) -> ModelPaths:
    return check_models(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="session")
def briefing_run(
    briefing: Media, analysis_models: ModelPaths, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, AnalysisResult]:
    """The whole pipeline once on the briefing; several test modules read its results."""
    work = tmp_path_factory.mktemp("briefing-work")
    return work, run_pipeline(briefing.path, work, options=AnalysisOptions(models=analysis_models))
