"""probe_media accepts decodable videos and rejects everything else with a readable reason."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from analysis_support import Media
from PIL import Image

from visionscope.analysis import MediaRejected, probe_media


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True)


def _rejected(path: Path) -> str:
    with pytest.raises(MediaRejected) as info:
        probe_media(path)
    reason = info.value.reason
    assert reason.endswith("."), reason
    assert "Errno" not in reason and "Traceback" not in reason
    return reason


def test_probe_reads_the_briefing(briefing: Media) -> None:
    info = probe_media(briefing.path)
    assert (info.width, info.height) == (854, 480)
    assert info.fps == pytest.approx(30.0)
    assert info.duration == pytest.approx(briefing.truth["duration"], abs=0.1)
    assert info.has_audio and info.audio_codec == "aac"
    assert info.video_codec == "h264"
    assert info.subtitle_streams == 0
    assert info.frame_count_estimate == pytest.approx(1800, abs=2)
    assert type(info).from_dict(info.to_dict()) == info


def test_a_video_without_audio(silent: Media) -> None:
    info = probe_media(silent.path)
    assert not info.has_audio and info.audio_codec is None
    assert info.fps == pytest.approx(60.0)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.mp4"
    path.write_bytes(b"")
    assert _rejected(path) == "The file is empty."


def test_missing_file(tmp_path: Path) -> None:
    assert "does not exist" in _rejected(tmp_path / "nothing.mp4")


def test_random_bytes(tmp_path: Path) -> None:
    path = tmp_path / "random.mp4"
    path.write_bytes(bytes((i * 7919 + 13) % 251 for i in range(200_000)))
    assert _rejected(path) == "The file is not a video FFmpeg can decode."


def test_text_named_mp4(tmp_path: Path) -> None:
    path = tmp_path / "notes.mp4"
    path.write_text("Minutes of the meeting.\nNothing here is a video.\n" * 50)
    assert _rejected(path) == "The file is not a video FFmpeg can decode."


def test_png_named_mp4(tmp_path: Path) -> None:
    path = tmp_path / "picture.mp4"
    Image.new("RGB", (320, 240), (30, 60, 150)).save(path, "PNG")
    assert _rejected(path) == "The file is a still image, not a video."


def test_jpeg_named_mp4(tmp_path: Path) -> None:
    path = tmp_path / "photo.mp4"
    Image.new("RGB", (320, 240), (200, 60, 50)).save(path, "JPEG")
    assert _rejected(path) == "The file is a still image, not a video."


def test_audio_only(tmp_path: Path) -> None:
    path = tmp_path / "voice.mp4"
    _ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-c:a", "aac", str(path))
    assert _rejected(path) == "The file has no video stream: it holds only audio."


def test_truncated_mp4_head(briefing: Media, tmp_path: Path) -> None:
    """Cut inside the index at the start: nothing can be read."""
    path = tmp_path / "cut.mp4"
    path.write_bytes(briefing.path.read_bytes()[:3000])
    reason = _rejected(path)
    assert "incomplete" in reason or "not a video" in reason


def test_truncated_mp4_half(briefing: Media, tmp_path: Path) -> None:
    """Cut in the middle of the pictures: the header promises 60 s that are not there."""
    path = tmp_path / "half.mp4"
    data = briefing.path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert "cut short" in _rejected(path)


def test_absurd_dimensions(tmp_path: Path) -> None:
    path = tmp_path / "huge.mp4"
    path.write_bytes(b"YUV4MPEG2 W10000 H10000 F30:1 Ip A1:1 C420jpeg\nFRAME\n" + bytes(64))
    assert _rejected(path) == "The video is too large: 10000x10000 pixels; the limit is 8192x8192."


def test_single_frame_video_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "one.mp4"
    _ffmpeg("-f", "lavfi", "-i", "color=c=red:s=320x240:d=1", "-frames:v", "1", "-c:v", "libx264", str(path))
    info = probe_media(path)
    assert (info.width, info.height) == (320, 240)
    assert info.frame_count_estimate == 1
    assert info.duration > 0
