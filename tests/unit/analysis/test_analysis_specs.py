"""Other resolutions and frame rates, silent scenes, scenes without text, videos without audio,
subtitle streams and uploaded subtitles."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from analysis_support import Media, cut_f1, wer, word_recall

from visionscope.analysis import (
    AnalysisOptions,
    AnalysisResult,
    ModelPaths,
    probe_media,
    run_pipeline,
    scan_video,
    transcribe,
)


@pytest.fixture(scope="module")
def mixed_run(
    mixed: Media, analysis_models: ModelPaths, tmp_path_factory: pytest.TempPathFactory
) -> AnalysisResult:
    work = tmp_path_factory.mktemp("mixed-work")
    return run_pipeline(mixed.path, work, options=AnalysisOptions(models=analysis_models))


def test_mixed_cuts_at_360p_25fps(mixed: Media, mixed_run: AnalysisResult) -> None:
    assert mixed_run.info.fps == pytest.approx(25.0)
    assert cut_f1(mixed_run.scan.cuts, mixed.truth["cuts"]) == 1.0


def test_small_text_is_read_and_textless_scenes_give_nothing(mixed: Media, mixed_run: AnalysisResult) -> None:
    assert mixed_run.text is not None
    spans = mixed_run.text.spans
    assert word_recall(mixed.truth["scenes"][0]["text"], " ".join(s.text for s in spans)) == 1.0
    # The plain red scene shows nothing; testsrc2 shows only its own running clock (00:00:01 ...),
    # which is text on screen though the spec adds none.
    assert {s.scene for s in spans} <= {0, 1}
    assert all(re.match(r"\d\d:\d\d:\d\d", s.text) for s in spans if s.scene == 1)
    assert all(s.end <= mixed.truth["scenes"][0]["end"] + 0.05 for s in spans if s.scene == 0)


def test_silent_scenes_have_no_speech(mixed: Media, mixed_run: AnalysisResult) -> None:
    assert mixed_run.transcript is not None and mixed_run.transcript.source == "asr"
    segments = mixed_run.transcript.segments
    spoken = mixed.truth["speech"][0]
    assert wer(spoken["text"], " ".join(s.text for s in segments)) <= 0.2
    scene = mixed.truth["scenes"][1]
    for segment in segments:
        assert scene["start"] - 0.3 <= segment.start and segment.end <= scene["end"] + 0.3


def test_mixed_colours(mixed_run: AnalysisResult) -> None:
    assert mixed_run.scan.scenes[0].colors[0].name == "blue"
    assert mixed_run.scan.scenes[2].colors[0].name == "red"  # 0xc0392b
    assert len(mixed_run.scan.scenes[1].colors) >= 3  # testsrc2 is many colours


def test_no_audio_at_60fps_needs_no_speech_model(
    silent: Media, analysis_models: ModelPaths, tmp_path: Path
) -> None:
    missing = tmp_path / "no-model-here"
    models = ModelPaths(
        whisper_dir=missing, embedder=analysis_models.embedder, tesseract=analysis_models.tesseract
    )
    result = run_pipeline(silent.path, tmp_path / "work", options=AnalysisOptions(models=models))
    assert result.info.fps == pytest.approx(60.0) and result.info.width == 426
    assert result.transcript is not None
    assert result.transcript.source == "none" and result.transcript.segments == ()
    assert cut_f1(result.scan.cuts, silent.truth["cuts"]) == 1.0
    assert result.stages["speech"].status == "done"
    assert not missing.exists()


def test_subtitle_stream_in_the_file_is_used_as_given(silent: Media, tmp_path: Path) -> None:
    srt = tmp_path / "subs.srt"
    srt.write_text(
        "1\n00:00:00,500 --> 00:00:01,500\nWelcome to the green room\n\n"
        "2\n00:00:02,250 --> 00:00:03,750\n<i>Colour bars</i> follow\n"
    )
    video = tmp_path / "with-subs.mp4"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-i",
            str(silent.path),
            "-i",
            str(srt),
            "-map",
            "0",
            "-map",
            "1",
            "-c:v",
            "copy",
            "-c:s",
            "mov_text",
            "-metadata:s:s:0",
            "language=eng",
            str(video),
        ],
        check=True,
    )
    info = probe_media(video)
    assert info.subtitle_streams == 1
    transcript = transcribe(video, info, model_dir=None)
    assert transcript.source == "subtitle_stream"
    assert transcript.language == "eng"
    assert [(s.start, s.end, s.text) for s in transcript.segments] == [
        (0.5, 1.5, "Welcome to the green room"),
        (2.25, 3.75, "Colour bars follow"),
    ]


def test_uploaded_subtitles_replace_speech_recognition(mixed: Media, tmp_path: Path) -> None:
    vtt = tmp_path / "upload.vtt"
    vtt.write_text("WEBVTT\n\n00:04.000 --> 00:05.800\nThe train leaves at noon &amp; not later.\n")
    info = probe_media(mixed.path)
    transcript = transcribe(mixed.path, info, model_dir=None, subtitles_path=vtt)
    assert transcript.source == "subtitle_file"
    assert [(s.start, s.end, s.text) for s in transcript.segments] == [
        (4.0, 5.8, "The train leaves at noon & not later.")
    ]


def test_variable_frame_rate_keeps_true_times(mixed: Media, tmp_path: Path) -> None:
    """Two frames of every three dropped in the first 2 s, timestamps kept: cuts still where they are."""
    vfr = tmp_path / "vfr.mp4"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-i",
            str(mixed.path),
            "-vf",
            r"select='gte(t\,2)+not(mod(n\,3))'",
            "-fps_mode",
            "passthrough",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-an",
            str(vfr),
        ],
        check=True,
    )
    info = probe_media(vfr)
    assert info.fps < 25.0  # the average rate says the frames are uneven
    scan = scan_video(vfr, info, tmp_path / "work")
    assert cut_f1(scan.cuts, mixed.truth["cuts"], tolerance=0.1) == 1.0
    assert scan.duration == pytest.approx(mixed.truth["duration"], abs=0.1)
