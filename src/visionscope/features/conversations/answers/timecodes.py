"""Times in questions and answers: "0:40", "1:05", "40 seconds", "1 minute 5 seconds", "[01:05]"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from .numbers import replace_number_words
from .wordlists import VIDEO_NOUNS


class Anchor(StrEnum):
    """How a time reference is placed: a point, a range, or relative to the video's ends."""

    POINT = "point"
    RANGE = "range"
    FIRST = "first"  # the first N seconds
    LAST = "last"  # the last N seconds
    START = "start"  # "at the beginning"
    END = "end"  # "at the end"
    MIDDLE = "middle"
    AFTER = "after"  # from a time on
    BEFORE = "before"  # up to a time


@dataclass(frozen=True, slots=True)
class TimeRef:
    """A time named in a question; `resolve` turns it into seconds for a video of a given length."""

    anchor: Anchor
    start: float = 0.0
    end: float = 0.0

    def resolve(self, duration: float) -> tuple[float, float]:
        """(start, end) in seconds; a point has start == end."""
        edge = min(10.0, max(duration * 0.1, 1.0))
        if self.anchor is Anchor.FIRST:
            return 0.0, min(self.start, duration)
        if self.anchor is Anchor.LAST:
            return max(duration - self.start, 0.0), duration
        if self.anchor is Anchor.START:
            return 0.0, min(edge, duration)
        if self.anchor is Anchor.END:
            return max(duration - edge, 0.0), duration
        if self.anchor is Anchor.MIDDLE:
            return max(duration / 2 - edge / 2, 0.0), min(duration / 2 + edge / 2, duration)
        if self.anchor is Anchor.AFTER:
            return self.start, max(duration, self.start)
        if self.anchor is Anchor.BEFORE:
            return 0.0, self.start
        return self.start, self.end

    @property
    def is_point(self) -> bool:
        return self.anchor is Anchor.POINT


def clock(seconds: float) -> str:
    """ "m:ss" (or "h:mm:ss") for prose: 65.4 -> "1:05"."""
    whole = max(int(seconds + 1e-6), 0)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def mark(seconds: float) -> str:
    """The citation mark players link to: "[mm:ss]" (or "[h:mm:ss]")."""
    whole = max(int(seconds + 1e-6), 0)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"[{hours}:{minutes:02d}:{secs:02d}]" if hours else f"[{minutes:02d}:{secs:02d}]"


MARK = re.compile(r"\[(?:(\d{1,2}):)?(\d{1,3}):([0-5]\d)\]")


def marks_in(text: str) -> list[float]:
    """Seconds of every "[mm:ss]" mark in a text, in order."""
    return [int(h or 0) * 3600 + int(m) * 60 + int(s) for h, m, s in MARK.findall(text)]


def spoken_length(seconds: float) -> str:
    """A length in words and digits: 60 -> "60 seconds (1:00)", 75.5 -> "75.5 seconds (1:15)"."""
    rounded = round(seconds, 1)
    figure = f"{rounded:.0f}" if abs(rounded - round(rounded)) < 0.05 else f"{rounded:.1f}"
    unit = "second" if figure == "1" else "seconds"
    if seconds < 60:
        return f"{figure} {unit}"
    return f"{figure} {unit} ({clock(seconds)})"


_UNIT = r"(?:seconds?|secs?|s)"
_MIN = r"(?:minutes?|mins?|m)"
_HOUR = r"(?:hours?|hrs?|h)"
_NUM = r"\d+(?:\.\d+)?"
_HMS = re.compile(r"(?<![\d:])(\d{1,2}):([0-5]\d):([0-5]\d)(?:\.\d+)?(?![\d:])")
_MS = re.compile(r"(?<![\d:])(\d{1,3}):([0-5]\d)(?:\.(\d+))?(?![\d:])")
_H_M = re.compile(
    rf"\b({_NUM})\s*{_HOUR}\b(?:\s*(?:and\s*)?({_NUM})\s*{_MIN}\b)?(?:\s*(?:and\s*)?({_NUM})\s*{_UNIT}\b)?"
)
_M_S = re.compile(rf"\b({_NUM})\s*{_MIN}\b(?:\s*(?:and\s*)?({_NUM})\s*{_UNIT}\b)?")
_S = re.compile(rf"\b({_NUM})\s*-?\s*{_UNIT}\b")
_COMPACT = re.compile(r"\b(?:(\d+)h)?(\d+)m(\d+)s\b")
_SECOND_N = re.compile(rf"\b(second|minute)\s+({_NUM})\b")


def _seconds_at(text: str) -> list[tuple[int, int, float]]:
    """Every time expression in `text` (number words already digits): (begin, end, seconds)."""
    found: list[tuple[int, int, float]] = []
    taken: list[tuple[int, int]] = []

    def add(m: re.Match[str], value: float) -> None:
        if any(m.start() < e and m.end() > b for b, e in taken):
            return
        taken.append((m.start(), m.end()))
        found.append((m.start(), m.end(), value))

    for m in _COMPACT.finditer(text):
        add(m, int(m[1] or 0) * 3600 + int(m[2]) * 60 + int(m[3]))
    for m in _HMS.finditer(text):
        add(m, int(m[1]) * 3600 + int(m[2]) * 60 + int(m[3]))
    for m in _MS.finditer(text):
        add(m, int(m[1]) * 60 + int(m[2]) + (float("0." + m[3]) if m[3] else 0.0))
    for m in _H_M.finditer(text):
        add(m, float(m[1]) * 3600 + float(m[2] or 0) * 60 + float(m[3] or 0))
    for m in _M_S.finditer(text):
        add(m, float(m[1]) * 60 + float(m[2] or 0))
    for m in _S.finditer(text):
        add(m, float(m[1]))
    for m in _SECOND_N.finditer(text):
        add(m, float(m[2]) * (60 if m[1] == "minute" else 1))
    found.sort()
    return found


#: "How does the lesson end?": the video named by what it is.
_WHOLE = "(?:" + "|".join(sorted(VIDEO_NOUNS)) + ")"
_HOW_DOES = rf"\bhow (?:does|did) (?:the |this |it )?(?:{_WHOLE} )?"
_RANGE_WORDS = re.compile(r"\b(between|from)\s*$")
_FIRST_LAST = re.compile(
    rf"\b(?:in|during|within|over)?\s*the\s+(first|last|final|opening|closing)\s+({_NUM})?\s*({_UNIT}|{_MIN})\b"
)
_EDGES = (
    (re.compile(r"\b(?:the )?(?:very )?first (?:thing|things|words?|sentence|line)\b"), Anchor.START),
    (re.compile(r"\b(?:the )?(?:very )?last (?:thing|things|words?|sentence|line)\b"), Anchor.END),
    (re.compile(rf"{_HOW_DOES}(?:start|begin|open)\b"), Anchor.START),
    (re.compile(rf"{_HOW_DOES}(?:end|finish|conclude|close|wrap up)\b"), Anchor.END),
    (
        re.compile(r"\b(?:at|in|near|around|towards?)\s+the\s+(?:very\s+)?(?:beginning|start|outset)\b"),
        Anchor.START,
    ),
    (re.compile(r"\b(?:at|in|near|around|towards?)\s+the\s+(?:very\s+)?end\b"), Anchor.END),
    (re.compile(r"\b(?:at|in|around|near)\s+the\s+middle\b|\bhalfway\b"), Anchor.MIDDLE),
)


@dataclass(frozen=True, slots=True)
class FoundTime:
    """A time reference and where it was found in the (lower-case) question."""

    ref: TimeRef
    begin: int
    end: int


def find_time(question: str) -> FoundTime | None:
    """The time a question names, if any. `question` should be lower-case."""
    text = replace_number_words(question)
    m = _FIRST_LAST.search(text)
    if m:
        amount = float(m[2]) if m[2] else 1.0
        if re.fullmatch(_MIN, m[3]):
            amount *= 60
        anchor = Anchor.FIRST if m[1] in ("first", "opening") else Anchor.LAST
        return FoundTime(TimeRef(anchor, amount, amount), m.start(), m.end())
    times = _seconds_at(text)
    if len(times) >= 2 and _RANGE_WORDS.search(text[: times[0][0]]):
        (b0, _, t0), (_, e1, t1) = times[0], times[1]
        lo, hi = sorted((t0, t1))
        return FoundTime(TimeRef(Anchor.RANGE, lo, hi), b0, e1)
    if times:
        begin, end, value = times[0]
        before = text[:begin]
        if re.search(r"\b(after|since|from|past)\s+(?:the\s+)?$", before):
            return FoundTime(TimeRef(Anchor.AFTER, value, value), begin, end)
        if re.search(r"\b(before|until|till|up to|prior to)\s+(?:the\s+)?$", before):
            return FoundTime(TimeRef(Anchor.BEFORE, value, value), begin, end)
        return FoundTime(TimeRef(Anchor.POINT, value, value), begin, end)
    for pattern, anchor in _EDGES:
        m = pattern.search(text)
        if m:
            return FoundTime(TimeRef(anchor), m.start(), m.end())
    return None
