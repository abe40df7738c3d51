"""Speech whisper skips in one pass over a file is found by the voice detector and transcribed on
its own (visionscope.analysis.speech_gaps)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from analysis_support import REPO, make_video, word_recall

from visionscope.analysis import ModelPaths
from visionscope.analysis.results import Segment
from visionscope.analysis.speech import transcribe_audio
from visionscope.analysis.speech_gaps import heard, uncovered

#: A ten-scene transit update in which one pass of whisper-base over the whole file skipped the
#: sentences of three scenes (35-58 s: fares, the night bus, the roadworks).
TRANSIT_SPEC = REPO / "eval" / "specs" / "transit.spec"


def test_only_speech_no_segment_covers_is_uncovered() -> None:
    segments = [Segment(0.5, 3.2, "Here is your update."), Segment(20.0, 22.0, "Thanks.")]
    regions = [(1.0, 3.0), (5.0, 5.5), (10.0, 14.0), (21.5, 23.0)]
    assert uncovered(regions, segments) == [(10.0, 14.0)]
    assert uncovered(regions, segments, least=0.4) == [(5.0, 5.5), (10.0, 14.0)]
    assert uncovered(regions, []) == [(1.0, 3.0), (10.0, 14.0), (21.5, 23.0)]


def test_every_spoken_sentence_is_transcribed(tmp_path: Path, analysis_models: ModelPaths) -> None:
    media = make_video(TRANSIT_SPEC, tmp_path, "transit", width=426, height=240, fps=15)
    assert analysis_models.whisper_dir is not None
    transcript = transcribe_audio(
        media.path, analysis_models.whisper_dir, duration=float(media.truth["duration"])
    )
    for sentence in media.truth["speech"]:
        heard = " ".join(
            s.text
            for s in transcript.segments
            if s.start < sentence["end"] + 1 and s.end > sentence["start"] - 1
        )
        assert word_recall([sentence["text"]], heard) >= 0.6, (sentence["text"], heard)


def test_a_second_look_keeps_only_what_was_heard() -> None:
    word = SimpleNamespace
    spoken = SimpleNamespace(words=[word(start=1.0, end=1.4), word(start=1.4, end=1.9)], no_speech_prob=0.1)
    instant = SimpleNamespace(words=[word(start=56.28, end=56.28)] * 5, no_speech_prob=0.1)
    silence = SimpleNamespace(words=spoken.words, no_speech_prob=0.9)
    assert heard(spoken)
    assert not heard(instant)
    assert not heard(silence)
    assert not heard(SimpleNamespace(words=[], no_speech_prob=0.0))
