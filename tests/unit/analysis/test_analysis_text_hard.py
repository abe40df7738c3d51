"""On-screen text that is hard to read (tests/media/text_hard.spec): dark ink on near-white, moving
gradients, heavy noise, busy moving pictures, real footage, pale backgrounds, late text."""

from __future__ import annotations

from pathlib import Path

import pytest
from analysis_support import SPECS, Media, make_video, word_recall, words

from visionscope.analysis import TextResult, probe_media, scan_video
from visionscope.analysis.text import extract_text


@pytest.fixture(scope="module")
def hard(media_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Media, TextResult]:
    media = make_video(SPECS / "text_hard.spec", media_dir, "text_hard", width=1280, height=720, fps=30)
    work = tmp_path_factory.mktemp("text-hard")
    scan = scan_video(media.path, probe_media(media.path), work)
    return media, extract_text(scan, work)


def test_hard_text_word_recall(hard: tuple[Media, TextResult]) -> None:
    media, text = hard
    lines = [line for scene in media.truth["scenes"] for line in scene["text"]]
    assert word_recall(lines, " ".join(s.text for s in text.spans)) >= 0.97


def test_text_that_appears_late_in_its_scene_is_read(hard: tuple[Media, TextResult]) -> None:
    media, text = hard
    late = next(s for s in media.truth["scenes"] if "text_from" in s)
    spans = [s for s in text.spans if s.scene == late["index"]]
    assert word_recall(late["text"], " ".join(s.text for s in spans)) == 1.0
    assert all(s.end > late["text_from"] for s in spans)


def test_each_scene_reads_its_own_text(hard: tuple[Media, TextResult]) -> None:
    media, text = hard
    for scene in media.truth["scenes"]:
        shown = " ".join(s.text for s in text.spans if scene["start"] <= s.start < scene["end"])
        assert word_recall(scene["text"], shown) >= 0.8, (scene, shown)


def test_no_scraps_of_misread_words_reach_the_text(hard: tuple[Media, TextResult]) -> None:
    """The passes over a picture read some words twice, once in pieces ("pend Lowey" beside
    "Marketing Spend Lower"); only words on screen remain, save a few (the test pattern's clock aside)."""
    media, text = hard
    shown = {w for scene in media.truth["scenes"] for line in scene["text"] for w in words(line)}
    read = [w for s in text.spans for w in words(s.text)]
    stray = [w for w in read if w not in shown and not w.isdigit()]
    assert len(stray) <= 4, stray
