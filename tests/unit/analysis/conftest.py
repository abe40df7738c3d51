"""Test media made at test time by tests/media/generate.py (exact ground truth), and the real models."""

from __future__ import annotations

from pathlib import Path

import pytest
from analysis_support import BRIEFING_SPEC, SPECS, Media, make_video

from visionscope.analysis import (
    AnalysisOptions,
    AnalysisResult,
    ModelPaths,
    SpeechOptions,
    check_models,
    run_pipeline,
)


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
    """The whole pipeline once on the briefing; several test modules read its results.

    Speech gets the on-screen words as hot words (an option, off by default), so that the path
    where speech depends on the text stage is exercised too."""
    work = tmp_path_factory.mktemp("briefing-work")
    options = AnalysisOptions(models=analysis_models, speech_options=SpeechOptions(screen_words=True))
    return work, run_pipeline(briefing.path, work, options=options)
