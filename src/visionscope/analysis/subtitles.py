"""Subtitles: read SRT and WebVTT files and text subtitle streams inside a video; write SRT and WebVTT."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from pathlib import Path

import av

from .errors import MediaRejected
from .results import Segment

_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})"
_CUE_TIMES = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}")
_TAG = re.compile(r"<[^>]*>")
_ASS_OVERRIDE = re.compile(r"\{[^}]*\}")
#: Largest subtitle file read (bytes); subtitles of a long film are well under 1 MB.
MAX_SUBTITLE_BYTES = 5_000_000


def _seconds(h: str | None, m: str, s: str, frac: str) -> float:
    return int(h or 0) * 3600 + int(m) * 60 + int(s) + int(frac.ljust(3, "0")) / 1000


def _clean(lines: Sequence[str], *, unescape: bool) -> str:
    text = " ".join(_TAG.sub("", line).strip() for line in lines)
    text = re.sub(r"\s+", " ", text).strip()
    return html.unescape(text) if unescape else text


def _parse_cues(text: str, *, vtt: bool) -> list[Segment]:
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    segments: list[Segment] = []
    for block in re.split(r"\n\s*\n", text):
        lines = [line for line in block.split("\n") if line.strip()]
        for i, line in enumerate(lines):
            m = _CUE_TIMES.match(line)
            if m is None:
                continue
            start = _seconds(*m.groups()[:4])
            end = _seconds(*m.groups()[4:])
            body = _clean(lines[i + 1 :], unescape=vtt)
            if body and end > start:
                segments.append(Segment(start=round(start, 3), end=round(end, 3), text=body))
            break
    segments.sort(key=lambda s: (s.start, s.end))
    return segments


def parse_srt(text: str) -> list[Segment]:
    """Cues of a SubRip file (tags removed, lines of a cue joined with spaces)."""
    return _parse_cues(text, vtt=False)


def parse_vtt(text: str) -> list[Segment]:
    """Cues of a WebVTT file (NOTE, STYLE and REGION blocks ignored; entities decoded)."""
    body = text.lstrip("\ufeff")
    if not body.startswith("WEBVTT"):
        raise MediaRejected("The subtitles file is not WebVTT: it must start with WEBVTT.")
    return _parse_cues(body, vtt=True)


def parse_subtitle_file(path: str | Path) -> list[Segment]:
    """Cues of an .srt or .vtt file, recognised by its content; rejects what is neither."""
    path = Path(path)
    raw = path.read_bytes()[: MAX_SUBTITLE_BYTES + 1]
    if len(raw) > MAX_SUBTITLE_BYTES:
        raise MediaRejected("The subtitles file is too large; the limit is 5 MB.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    text = text.lstrip()
    segments = parse_vtt(text) if text.startswith("WEBVTT") else parse_srt(text)
    if not segments:
        raise MediaRejected("The subtitles file holds no cues: it is not a valid .srt or .vtt file.")
    return segments


def _stamp(seconds: float, sep: str) -> str:
    ms = max(0, round(seconds * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def render_srt(segments: Sequence[Segment]) -> str:
    """SubRip text of the segments."""
    blocks = [
        f"{i}\n{_stamp(s.start, ',')} --> {_stamp(s.end, ',')}\n{s.text.strip()}\n"
        for i, s in enumerate(segments, start=1)
    ]
    return "\n".join(blocks)


def render_vtt(segments: Sequence[Segment]) -> str:
    """WebVTT text of the segments (text escaped as WebVTT requires)."""
    blocks = ["WEBVTT\n"]
    for s in segments:
        text = s.text.strip().replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        text = text.replace("-->", "--&gt;")
        blocks.append(f"{_stamp(s.start, '.')} --> {_stamp(s.end, '.')}\n{text}\n")
    return "\n".join(blocks)


def read_subtitle_stream(path: str | Path) -> tuple[list[Segment], str | None] | None:
    """Cues and language of the first text subtitle stream in a video, or None when it has none.

    Picture subtitles (DVD, Blu-ray) hold no text and are passed over.
    """
    with av.open(str(path)) as container:
        streams = list(container.streams.subtitles)
        if not streams:
            return None
        found: dict[int, list[Segment]] = {s.index: [] for s in streams}
        try:
            for packet in container.demux(*streams):
                if packet.size == 0 or packet.pts is None or packet.time_base is None:
                    continue
                start = float(packet.pts * packet.time_base)
                end = start + float((packet.duration or 0) * packet.time_base)
                for sub in packet.decode():
                    dialogue = getattr(sub, "dialogue", None)
                    if not isinstance(dialogue, bytes):
                        break
                    text = _ASS_OVERRIDE.sub("", dialogue.decode("utf-8", errors="replace"))
                    text = _clean(text.split("\n"), unescape=False)
                    if text and end > start:
                        found[packet.stream.index].append(Segment(round(start, 3), round(end, 3), text))
        except av.error.FFmpegError:
            pass
        for stream in streams:
            segments = sorted(found[stream.index], key=lambda s: (s.start, s.end))
            if segments:
                language = stream.metadata.get("language")
                return segments, (language if language and language != "und" else None)
    return None
