"""Stages are skipped when done, redone with what depends on them, and resumable after a crash."""

from __future__ import annotations

from pathlib import Path

import pytest
from analysis_support import Media

from visionscope.analysis import (
    STAGES,
    AnalysisOptions,
    ModelMissing,
    ModelPaths,
    run_pipeline,
)


class Crash(Exception):
    pass


def _mtimes(work: Path) -> dict[str, int]:
    return {s: (work / f"{s}.json").stat().st_mtime_ns for s in STAGES if (work / f"{s}.json").exists()}


def test_turned_off_features_are_recorded_as_skipped_then_run_later(
    mixed: Media, analysis_models: ModelPaths, tmp_path: Path
) -> None:
    off = AnalysisOptions(models=analysis_models, text=False, speech=False)
    first = run_pipeline(mixed.path, tmp_path, options=off)
    assert first.stages["text"].status == "skipped" and first.stages["speech"].status == "skipped"
    assert first.stages["text"].reason
    assert first.text is None and first.transcript is None
    assert first.chapters.chapters  # still made, from the scenes alone
    before = _mtimes(tmp_path)

    second = run_pipeline(mixed.path, tmp_path, options=AnalysisOptions(models=analysis_models, speech=False))
    assert second.stages["probe"].reused and second.stages["scan"].reused
    assert second.stages["speech"].reused and second.stages["speech"].status == "skipped"
    assert not second.stages["text"].reused and second.stages["text"].status == "done"
    # what depends on the text is redone; what does not is left alone
    assert not second.stages["index"].reused and not second.stages["chapters"].reused
    after = _mtimes(tmp_path)
    assert after["scan"] == before["scan"] and after["probe"] == before["probe"]
    assert after["index"] != before["index"]
    assert second.text is not None and any("Alpha" in s.text for s in second.text.spans)


def test_a_crash_mid_run_resumes_without_redoing_finished_stages(
    mixed: Media, analysis_models: ModelPaths, tmp_path: Path
) -> None:
    options = AnalysisOptions(models=analysis_models)

    def crash_in_speech(stage: str, fraction: float, eta: float | None) -> None:
        if stage == "speech":
            raise Crash

    with pytest.raises(Crash):
        run_pipeline(mixed.path, tmp_path, options=options, on_progress=crash_in_speech)
    assert set(_mtimes(tmp_path)) == {"probe", "scan", "text"}
    assert not any(p.name.startswith(".") for p in tmp_path.iterdir())  # no temporary files left
    before = _mtimes(tmp_path)

    seen: list[tuple[str, float, float | None]] = []
    result = run_pipeline(
        mixed.path, tmp_path, options=options, on_progress=lambda s, f, e: seen.append((s, f, e))
    )
    assert [s for s in STAGES if result.stages[s].reused] == ["probe", "scan", "text"]
    assert {s for s, _, _ in seen} == {"speech", "index", "chapters"}
    for stage in ("speech", "index", "chapters"):
        fractions = [f for s, f, _ in seen if s == stage]
        assert fractions[0] == 0.0 and fractions[-1] == 1.0 and fractions == sorted(fractions)
    assert all(e is not None and e >= 0 for _, _, e in seen)
    after = _mtimes(tmp_path)
    assert all(after[s] == before[s] for s in ("probe", "scan", "text"))
    assert result.transcript is not None and result.transcript.segments


def test_a_lost_stage_file_redoes_that_stage_and_its_dependents(
    mixed: Media, analysis_models: ModelPaths, tmp_path: Path
) -> None:
    options = AnalysisOptions(models=analysis_models, speech=False)
    run_pipeline(mixed.path, tmp_path, options=options)
    (tmp_path / "text.json").unlink()
    (tmp_path / "chapters.json").write_text("{ not json")  # a torn file counts as missing
    result = run_pipeline(mixed.path, tmp_path, options=options)
    redone = [s for s in STAGES if not result.stages[s].reused]
    assert redone == ["text", "index", "chapters"]


def test_missing_models_fail_before_any_work(mixed: Media, tmp_path: Path) -> None:
    with pytest.raises(ModelMissing, match=r"speech \(whisper\), index \(MiniLM\), text \(tesseract\)"):
        run_pipeline(
            mixed.path, tmp_path / "work", options=AnalysisOptions(models=ModelPaths(None, None, None))
        )
    assert not (tmp_path / "work").exists()
    # with those features off, nothing is needed
    result = run_pipeline(
        mixed.path,
        tmp_path / "work",
        options=AnalysisOptions(models=ModelPaths(None, None, None), text=False, speech=False, index=False),
    )
    assert [s for s in STAGES if result.stages[s].status == "skipped"] == ["text", "speech", "index"]
    assert result.index_dir is None and len(result.scan.scenes) == 3
