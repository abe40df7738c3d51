"""Misread copies of a line: what a second look at the same words yields.

Tesseract's passes over one picture (the picture, its ink, a local threshold) often read the
same words twice, once well and once in pieces: "e Rentals" and "entals" beside "Cargo Bike
Rentals", "pend Lowey" beside "Marketing Spend Lower", "Gamera" beside "Station Camera". Such a
line brings no word of its own, only scraps that would reach the index. A line is dropped when
the lines of the same picture read with more confidence account for every one of its words: the
same word, a piece of it or a near miss of a piece (one edit in words of four or five letters,
two from six), and letters-only scraps of one or two characters; at least one word must be such
a piece or scrap (lines of whole words are left to the other rules). Digits must match exactly.
A line over two colours of background may read as two lines in one picture, "Bre" and "aks",
"Iron Oxi" and "de Dust"; when another line reads them whole, both halves are dropped, however
sure their reading.
"""

from __future__ import annotations

import re
from typing import Protocol, TypeVar


class _Line(Protocol):
    @property
    def text(self) -> str: ...

    @property
    def confidence(self) -> float: ...


L = TypeVar("L", bound=_Line)


def line_key(text: str) -> str:
    """A line as compared: lower case, letters and digits only."""
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def piece_distance(word: str, text: str) -> int:
    """The fewest edits that turn `word` into some stretch of `text` (adjacent swaps count one)."""
    m = len(word)
    prev2: list[int] | None = None
    prev = [0] * (len(text) + 1)  # a stretch may start anywhere
    for i in range(1, m + 1):
        row = [i] + [0] * len(text)
        for j in range(1, len(text) + 1):
            cost = 0 if word[i - 1] == text[j - 1] else 1
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost)
            if prev2 is not None and j > 1 and word[i - 1] == text[j - 2] and word[i - 2] == text[j - 1]:
                row[j] = min(row[j], prev2[j - 2] + 1)
        prev2, prev = prev, row
    return min(prev)


def _allowed_edits(word: str, near_misses: bool) -> int:
    if not near_misses or len(word) <= 3 or not word.isalpha():
        return 0
    return 1 if len(word) <= 5 else 2


def _accounted_for(line: str, better: list[str], near_misses: bool) -> bool:
    """Every word of `line` is a word, a piece or a scrap of the better lines, with a piece among
    them or a scrap beside a whole word (a line of scraps alone, such as "TV", is not judged)."""
    whole = {w for other in better for w in other.split()}
    joined = [other.replace(" ", "") for other in better]
    wholes = scraps = pieces = 0
    for word in line.split():
        if word in whole:
            wholes += 1
        elif word.isalpha() and len(word) <= 2:
            scraps += 1
        elif any(piece_distance(word, text) <= _allowed_edits(word, near_misses) for text in joined):
            pieces += 1
        else:
            return False
    return pieces > 0 or (scraps > 0 and wholes > 0)


def _halves(keys: list[str]) -> set[int]:
    """Lines that are one half of a word or line another line reads whole ("Bre" and "aks" beside
    "Breaks", "Iron Oxi" and "de Dust" beside "Iron Oxide Dust": a line over two colours of
    background, read apart in one picture)."""
    whole = set(keys) | {w for key in keys for w in key.split()}
    halves: set[int] = set()
    for n, first in enumerate(keys):
        for k, second in enumerate(keys):
            if n != k and first and second and ({first + second, f"{first} {second}"} & whole):
                halves.update((n, k))
    return halves


def without_misreads(lines: list[L], *, near_misses: bool = True) -> list[L]:
    """The lines without those that only repeat better lines in pieces (or near misses of pieces,
    unless `near_misses` is False: between pictures a near miss may be the right reading), and
    without the halves of a word read whole in another line."""
    keys = [line_key(line.text) for line in lines]
    halves = _halves(keys)
    kept = []
    for n, line in enumerate(lines):
        if n in halves:
            continue
        better = [
            keys[m]
            for m, other in enumerate(lines)
            if m != n
            and keys[m]
            and (
                other.confidence > line.confidence
                or (other.confidence == line.confidence and len(keys[m]) > len(keys[n]))
            )
        ]
        if not keys[n] or not better or not _accounted_for(keys[n], better, near_misses):
            kept.append(line)
    return kept
