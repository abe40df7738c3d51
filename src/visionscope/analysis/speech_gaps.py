"""Speech whisper skipped: stretches the voice detector hears that no transcribed segment covers.

Whisper reads audio in 30-second windows and moves on by the last timestamp it wrote. Now and
then it writes a timestamp far ahead and the sentences between are never transcribed: in a
generated 87-second transit update, three of ten sentences ("Drivers should use the river road
while the bridge is repaired") were missing from one pass over the whole file, with voice
detection on or off. Each such stretch is transcribed again on its own (see `speech`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .results import Segment

SAMPLE_RATE = 16000
#: Heard speech shorter than this, uncovered, is left alone (a breath, a click).
LEAST_SECONDS = 0.8
#: Audio kept on either side of a stretch transcribed again.
PAD_SECONDS = 0.3


def speech_regions(audio: Any) -> list[tuple[float, float]]:
    """Where the voice detector (Silero, shipped with faster-whisper) hears speech, in seconds."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps  # type: ignore[import-untyped]

    found = get_speech_timestamps(audio, VadOptions(), sampling_rate=SAMPLE_RATE)
    return [(float(r["start"]) / SAMPLE_RATE, float(r["end"]) / SAMPLE_RATE) for r in found]


def uncovered(
    regions: Sequence[tuple[float, float]], segments: Sequence[Segment], least: float = LEAST_SECONDS
) -> list[tuple[float, float]]:
    """The regions of speech, `least` seconds long at least, that no segment overlaps."""
    return [
        (lo, hi)
        for lo, hi in regions
        if hi - lo >= least and not any(s.start < hi and s.end > lo for s in segments)
    ]


def clip(audio: Any, lo: float, hi: float) -> tuple[Any, float]:
    """The audio of `lo`..`hi` with `PAD_SECONDS` either side, and the time it starts at."""
    start = max(0.0, lo - PAD_SECONDS)
    return audio[int(start * SAMPLE_RATE) : int((hi + PAD_SECONDS) * SAMPLE_RATE)], start


#: A piece of the second look whisper thinks is more likely silence than speech is dropped.
NO_SPEECH = 0.6


def takes_time(piece: Any) -> bool:
    """Whether a piece's words take time (0.1 s a word on average): whisper-base, after the last
    sentence of a video or on a stretch of noise, writes "Thank you for your time." with every
    word at one instant; nobody said it."""
    words = list(getattr(piece, "words", None) or ())
    spoken = sum(float(w.end) - float(w.start) for w in words)
    return bool(words) and spoken >= 0.1 * len(words)


def heard(piece: Any) -> bool:
    """Whether a piece written on a stretch transcribed again was heard, not made up: its words
    take time and whisper does not think it more likely silence."""
    return takes_time(piece) and float(piece.no_speech_prob) < NO_SPEECH
