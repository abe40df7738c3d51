"""SRT and WebVTT: parsing what people upload, rendering transcripts, and the round trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from visionscope.analysis import (
    MediaRejected,
    Segment,
    parse_srt,
    parse_subtitle_file,
    parse_vtt,
    render_srt,
    render_vtt,
)

SEGMENTS = [
    Segment(0.0, 1.5, "Welcome to the quarterly planning meeting."),
    Segment(1.5, 4.25, "Sales rose by twenty percent & more <really>."),
    Segment(3661.007, 3663.5, "An hour, a minute and seven milliseconds in."),
]


def test_srt_round_trip() -> None:
    text = render_srt(SEGMENTS)
    assert text.startswith("1\n00:00:00,000 --> 00:00:01,500\nWelcome")
    assert "01:01:01,007 --> 01:01:03,500" in text
    assert parse_srt(text) == [Segment(s.start, s.end, s.text) for s in SEGMENTS[:1]] + [
        Segment(1.5, 4.25, "Sales rose by twenty percent & more ."),  # SRT has no escaping: <...> is a tag
        SEGMENTS[2],
    ]


def test_vtt_round_trip_escapes_what_webvtt_needs() -> None:
    text = render_vtt(SEGMENTS)
    assert text.startswith("WEBVTT\n\n00:00:00.000 --> 00:00:01.500\n")
    assert "&amp; more &lt;really&gt;" in text
    assert parse_vtt(text) == SEGMENTS


def test_srt_as_people_write_it() -> None:
    text = (
        "\ufeff1\r\n00:00:01,000 --> 00:00:02,500\r\n<i>First</i> line\r\nsecond line\r\n\r\n"
        "2\r\n00:00:03,5 --> 00:00:04,000\r\n{\\an8}<font color=red>Top</font>\r\n\r\n"
        "3\r\n00:00:05,000 --> 00:00:04,000\r\nends before it starts\r\n"
    )
    assert parse_srt(text) == [
        Segment(1.0, 2.5, "First line second line"),
        Segment(3.5, 4.0, "{\\an8}Top"),
    ]


def test_vtt_with_header_notes_styles_settings_and_voices() -> None:
    text = (
        "WEBVTT - a title\n\nNOTE written by hand\n\nSTYLE\n::cue { color: red }\n\n"
        "intro\n00:01.000 --> 00:02.000 align:start position:10%\n<v Anna>Hello <b>there</b></v>\n\n"
        "01:00:00.000 --> 01:00:01.000\nTom &amp; Jerry\n"
    )
    assert parse_vtt(text) == [Segment(1.0, 2.0, "Hello there"), Segment(3600.0, 3601.0, "Tom & Jerry")]


def test_vtt_needs_its_header() -> None:
    with pytest.raises(MediaRejected):
        parse_vtt("00:01.000 --> 00:02.000\nno header\n")


def test_subtitle_files_are_recognised_by_content(tmp_path: Path) -> None:
    vtt = tmp_path / "captions.srt"  # the name lies; the content decides
    vtt.write_text(render_vtt(SEGMENTS))
    assert parse_subtitle_file(vtt) == SEGMENTS
    latin = tmp_path / "old.srt"
    latin.write_bytes("1\n00:00:01,000 --> 00:00:02,000\nCaf\xe9 cr\xe8me\n".encode("latin-1"))
    assert parse_subtitle_file(latin)[0].text == "Café crème"


def test_a_file_without_cues_is_rejected(tmp_path: Path) -> None:
    junk = tmp_path / "junk.srt"
    junk.write_text("this is not a subtitle file\n")
    with pytest.raises(MediaRejected, match="no cues"):
        parse_subtitle_file(junk)
