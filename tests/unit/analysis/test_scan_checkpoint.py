"""A scan stopped midway goes on from its last checkpoint and ends with the result of a scan that
was never stopped; a checkpoint of another file, of other settings or a damaged one is ignored."""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.media import generate
from visionscope.analysis import (
    AnalysisOptions,
    MediaInfo,
    ModelPaths,
    ScanOptions,
    ScanResult,
    Scene,
    probe_media,
    run_pipeline,
    scan_video,
)

OFTEN = ScanOptions(checkpoint_seconds=1e-4)  # a checkpoint at every scene boundary
STOP_AT = 0.6
SCAN_LOG = "visionscope.analysis.scan"


class Stop(Exception):
    pass


def stop_at(share: float) -> Callable[[float], None]:
    def on_progress(fraction: float) -> None:
        if fraction > share:
            raise Stop

    return on_progress


@pytest.fixture(scope="module")
def splice(media_dir: Path) -> Path:
    """Real footage joined with cuts, two dissolves and a fade through black (40 s, 640x360, 25 fps)."""
    spec = generate.SPECS / "footage_splice.spec"
    return generate.make_video(spec, media_dir, "checkpoint_splice", width=640, height=360, fps=25)


@pytest.fixture(scope="module")
def info(splice: Path) -> MediaInfo:
    return probe_media(splice)


@pytest.fixture(scope="module")
def whole(splice: Path, info: MediaInfo, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ScanResult]:
    """The scan never stopped (and saving no checkpoint)."""
    work = tmp_path_factory.mktemp("whole")
    return work, scan_video(splice, info, work, options=ScanOptions(checkpoint_seconds=0.0))


@pytest.fixture(scope="module")
def stopped(splice: Path, info: MediaInfo, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A work dir where a scan saving checkpoints was stopped at 60 %; not changed by the tests."""
    work = tmp_path_factory.mktemp("stopped")
    with pytest.raises(Stop):
        scan_video(splice, info, work, options=OFTEN, on_progress=stop_at(STOP_AT))
    assert (work / "scan.checkpoint" / "manifest.json").is_file()
    assert not (work / "scan.json").exists() and not (work / "sprite.jpg").exists()
    return work


def copy_of(stopped: Path, tmp_path: Path) -> Path:
    work = tmp_path / "work"
    shutil.copytree(stopped, work)
    return work


def same_files(a: Path, b: Path, scan: ScanResult) -> None:
    """The pictures are the same bytes: same frames, same encoder."""
    names = ["sprite.jpg"] + [s.thumbnail for s in scan.scenes]
    names += [k.path for s in scan.scenes for k in s.samples]
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def resumed_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == SCAN_LOG and hasattr(r, "resumed_at")]


def test_a_resumed_scan_ends_as_if_never_stopped(
    splice: Path,
    info: MediaInfo,
    whole: tuple[Path, ScanResult],
    stopped: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    full_dir, full = whole
    kinds = {s.transition for s in full.scenes}
    assert len(full.scenes) >= 6 and {"cut", "dissolve", "fade"} <= kinds  # the spec's transitions
    work = copy_of(stopped, tmp_path)
    caplog.set_level(logging.INFO, logger=SCAN_LOG)
    progress: list[float] = []
    given: list[Scene] = []
    result = scan_video(splice, info, work, options=OFTEN, on_progress=progress.append, on_scene=given.append)

    assert (
        result == full
    )  # scenes (times, transitions, keyframes, colours, brightness, motion), frames, sprite
    same_files(work, full_dir, full)
    # every scene given to on_scene once, in order: the saved ones again first, then the new ones
    assert [s.index for s in given] == list(range(len(full.scenes)))
    assert given == list(full.scenes)
    # it went on from the checkpoint: progress did not start over, fewer frames were decoded
    (record,) = resumed_records(caplog)
    resumed_at: float = record.resumed_at  # type: ignore[attr-defined]
    decoded: int = record.decoded  # type: ignore[attr-defined]
    assert 0 < resumed_at <= STOP_AT * info.duration
    assert progress[0] >= resumed_at / info.duration > 0
    assert progress == sorted(progress) and progress[-1] == 1.0
    assert decoded < full.frames


def test_a_checkpoint_of_another_file_or_other_settings_is_ignored(
    splice: Path,
    info: MediaInfo,
    whole: tuple[Path, ScanResult],
    stopped: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _, full = whole
    caplog.set_level(logging.INFO, logger=SCAN_LOG)
    # the same pictures in another file (its modification time differs)
    other = tmp_path / "other.mp4"
    shutil.copyfile(splice, other)
    # the same file, scanned with other settings (keyframes encoded at another quality)
    cases = [(other, OFTEN), (splice, ScanOptions(checkpoint_seconds=1e-4, jpeg_quality=80))]
    for n, (video, options) in enumerate(cases):
        work = copy_of(stopped, tmp_path / str(n))
        progress: list[float] = []
        result = scan_video(video, info, work, options=options, on_progress=progress.append)
        assert progress[0] == 0.0, video  # from the start
        assert result == full
    assert resumed_records(caplog) == []


def _garbage_manifest(work: Path) -> None:
    (work / "scan.checkpoint" / "manifest.json").write_text("{ not json")


def _changed_field(work: Path) -> None:
    path = work / "scan.checkpoint" / "manifest.json"
    saved = json.loads(path.read_text())
    saved["manifest"]["detector"]["base"] += 1  # still parses, no longer what was saved
    path.write_text(json.dumps(saved))


def _no_arrays(work: Path) -> None:
    for npz in (work / "scan.checkpoint").glob("*.npz"):
        npz.unlink()


def _torn_arrays(work: Path) -> None:
    for npz in (work / "scan.checkpoint").glob("*.npz"):
        npz.write_bytes(npz.read_bytes()[: npz.stat().st_size // 2])


def _keyframe_gone(work: Path) -> None:
    (work / "keyframes" / "0001.jpg").unlink()


@pytest.mark.parametrize(
    "damage", [_garbage_manifest, _changed_field, _no_arrays, _torn_arrays, _keyframe_gone]
)
def test_a_damaged_checkpoint_is_ignored(
    damage: Callable[[Path], None],
    splice: Path,
    info: MediaInfo,
    whole: tuple[Path, ScanResult],
    stopped: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _, full = whole
    work = copy_of(stopped, tmp_path)
    damage(work)
    caplog.set_level(logging.INFO, logger=SCAN_LOG)
    progress: list[float] = []
    result = scan_video(splice, info, work, options=OFTEN, on_progress=progress.append)
    assert progress[0] == 0.0 and resumed_records(caplog) == []
    assert result == full
    assert any(r.levelno == logging.WARNING and "checkpoint" in r.getMessage() for r in caplog.records)


def test_the_pipeline_resumes_its_scan_and_removes_the_checkpoint_once_the_scan_is_done(
    splice: Path, whole: tuple[Path, ScanResult], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _, full = whole
    options = AnalysisOptions(
        models=ModelPaths(None, None, None), text=False, speech=False, index=False, scan=OFTEN
    )
    saved: list[bool] = []

    def stop_in_scan(stage: str, fraction: float, eta: float | None) -> None:
        if stage == "scan" and fraction > STOP_AT:
            saved.append((tmp_path / "scan.checkpoint" / "manifest.json").is_file())
            raise Stop

    with pytest.raises(Stop):
        run_pipeline(splice, tmp_path, options=options, on_progress=stop_in_scan)
    assert saved == [True] and not (tmp_path / "scan.json").exists()

    caplog.set_level(logging.INFO, logger=SCAN_LOG)
    result = run_pipeline(splice, tmp_path, options=options)
    assert len(resumed_records(caplog)) == 1
    assert result.scan == full
    assert (tmp_path / "scan.json").is_file() and not (tmp_path / "scan.checkpoint").exists()
