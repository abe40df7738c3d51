"""The whole pipeline on the briefing video: quality against ground truth, outputs, resuming."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from analysis_support import Media, cut_f1, normalised_wer, word_recall
from PIL import Image

from visionscope.analysis import (
    STAGES,
    AnalysisOptions,
    AnalysisResult,
    ModelPaths,
    run_pipeline,
)


def test_cuts_match_the_ground_truth(briefing: Media, briefing_run: tuple[Path, AnalysisResult]) -> None:
    _, result = briefing_run
    assert cut_f1(result.scan.cuts, briefing.truth["cuts"]) >= 0.95
    assert len(result.scan.scenes) == len(briefing.truth["scenes"])
    assert result.scan.scenes[0].start == 0.0
    assert result.scan.scenes[-1].end == pytest.approx(briefing.truth["duration"], abs=0.1)


def test_on_screen_text_word_recall(briefing: Media, briefing_run: tuple[Path, AnalysisResult]) -> None:
    _, result = briefing_run
    assert result.text is not None
    shown = " ".join(s.text for s in result.text.spans)
    lines = [line for scene in briefing.truth["scenes"] for line in scene["text"]]
    assert word_recall(lines, shown) >= 0.95


def test_text_spans_carry_their_scene_times(
    briefing: Media, briefing_run: tuple[Path, AnalysisResult]
) -> None:
    _, result = briefing_run
    assert result.text is not None
    denver = [s for s in result.text.spans if "denver" in s.text.lower()]
    assert denver, [s.text for s in result.text.spans]
    truth = briefing.truth["scenes"][2]
    assert denver[0].start == pytest.approx(truth["start"], abs=0.1)
    assert denver[0].end == pytest.approx(truth["end"], abs=0.1)
    assert denver[0].scene == 2


def test_speech_word_error_rate(briefing: Media, briefing_run: tuple[Path, AnalysisResult]) -> None:
    _, result = briefing_run
    assert result.transcript is not None and result.transcript.source == "asr"
    assert result.transcript.language == "en"
    reference = " ".join(s["text"] for s in briefing.truth["speech"])
    # the on-screen words are hot words: names and terms come out as the slides spell them
    assert normalised_wer(reference, result.transcript.text) <= 0.04
    for segment in result.transcript.segments:
        assert segment.words, segment
        assert segment.start <= segment.words[0].start <= segment.words[-1].end <= segment.end + 0.01


def test_speech_times_fall_in_the_spoken_scene(
    briefing: Media, briefing_run: tuple[Path, AnalysisResult]
) -> None:
    _, result = briefing_run
    assert result.transcript is not None
    for spoken in briefing.truth["speech"]:
        middle = (spoken["start"] + spoken["end"]) / 2
        covering = [s for s in result.transcript.segments if s.start - 0.5 <= middle <= s.end + 0.5]
        assert covering, spoken


def test_visual_stats(briefing_run: tuple[Path, AnalysisResult]) -> None:
    _, result = briefing_run
    scenes = result.scan.scenes
    assert scenes[0].colors[0].name == "blue"
    assert scenes[2].colors[0].name == "red"  # 0x8b1a1a
    assert scenes[4].colors[0].name == "green"  # 0x1e6b34
    assert scenes[6].colors[0].name == "purple"  # 0x5b2c83
    for scene in scenes:
        assert 0.0 <= scene.brightness <= 1.0 and 0.0 <= scene.motion <= 1.0
    assert scenes[0].motion < 0.05  # a still colour
    assert scenes[1].motion > scenes[0].motion  # testsrc2 moves


def test_pictures_are_written(briefing_run: tuple[Path, AnalysisResult]) -> None:
    work, result = briefing_run
    for scene in result.scan.scenes:
        assert scene.start <= scene.keyframe_time < scene.end
        with Image.open(work / scene.keyframe) as keyframe:
            assert keyframe.size == (854, 480)
        with Image.open(work / scene.thumbnail) as thumb:
            assert thumb.width == 320
    sprite = result.scan.sprite
    assert sprite is not None and sprite.count == 60  # one tile a second
    with Image.open(work / sprite.path) as img:
        assert img.size == (sprite.columns * sprite.tile_width, 6 * sprite.tile_height)
    vtt = (work / "sprite.vtt").read_text()
    assert vtt.startswith("WEBVTT") and vtt.count("#xywh=") == 60


def test_chapters_and_summary(briefing: Media, briefing_run: tuple[Path, AnalysisResult]) -> None:
    _, result = briefing_run
    chapters = result.chapters.chapters
    assert [c.title for c in chapters][:3] == [s["text"][0] for s in briefing.truth["scenes"][:3]]
    assert chapters[0].start == 0.0 and chapters[-1].end == result.scan.scenes[-1].end
    summary = result.chapters.summary
    assert 3 <= len(summary.sentences) <= 8
    assert all(s.source == "transcript" for s in summary.sentences)
    assert [s.start for s in summary.sentences] == sorted(s.start for s in summary.sentences)
    assert "warehouse" in summary.text.lower()


def test_result_round_trips_through_json(briefing_run: tuple[Path, AnalysisResult]) -> None:
    _, result = briefing_run
    again = AnalysisResult.from_dict(json.loads(json.dumps(result.to_dict())))
    assert again == result


def test_stage_files_and_second_run_reuses_everything(
    briefing: Media, briefing_run: tuple[Path, AnalysisResult], analysis_models: ModelPaths
) -> None:
    work, first = briefing_run
    assert all(not r.reused and r.status == "done" for r in first.stages.values())
    mtimes = {stage: (work / f"{stage}.json").stat().st_mtime_ns for stage in STAGES}
    keyframe_mtime = (work / first.scan.scenes[0].keyframe).stat().st_mtime_ns
    calls: list[str] = []
    second = run_pipeline(
        briefing.path,
        work,
        options=AnalysisOptions(models=analysis_models),
        on_progress=lambda stage, fraction, eta: calls.append(stage),
    )
    assert all(r.reused for r in second.stages.values())
    assert calls == []
    assert {stage: (work / f"{stage}.json").stat().st_mtime_ns for stage in STAGES} == mtimes
    assert (work / first.scan.scenes[0].keyframe).stat().st_mtime_ns == keyframe_mtime
    assert second.to_dict()["scan"] == first.to_dict()["scan"]
