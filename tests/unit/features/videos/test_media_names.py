from __future__ import annotations

import pytest

from visionscope.features.videos.media import display_name, media_type


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("holiday.mp4", "holiday.mp4"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\ada\\talk.mov", "talk.mov"),
        ("bell\x07and\x00nul\r\n.mp4", "bellandnul.mp4"),
        ("/", "video"),
        ("x" * 400 + ".mp4", "x" * 255),
    ],
)
def test_display_names_drop_folders_and_control_characters(given: str, kept: str) -> None:
    assert display_name(given) == kept


def test_media_types_follow_the_probed_container() -> None:
    assert media_type("mov,mp4,m4a,3gp,3g2,mj2") == "video/mp4"
    assert media_type("matroska,webm") == "video/x-matroska"
    assert media_type("avi") == "video/x-msvideo"
    assert media_type("something") == "application/octet-stream"
