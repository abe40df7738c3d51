"""Measures of analysis results against a generated video's ground truth: word error rate (also
with numbers and titles normalised either way), cut F1, word recall, transitions matched one to one."""

from __future__ import annotations

import re
from typing import Any


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def wer(ref: str, hyp: str) -> float:
    r = words(ref)
    return word_errors(r, words(hyp)) / max(1, len(r))


def cut_f1(found: list[float], truth: list[float], tolerance: float = 0.5) -> float:
    hits = sum(any(abs(c - t) <= tolerance for c in found) for t in truth)
    precision = hits / max(1, len(found))
    recall = hits / max(1, len(truth))
    return 2 * precision * recall / max(1e-9, precision + recall)


def word_recall(expected_lines: list[str], shown: str) -> float:
    want = [w for line in expected_lines for w in words(line)]
    got = set(words(shown))
    return sum(w in got for w in want) / max(1, len(want))


def matched_transitions(
    found: list[tuple[float, str]], truth: list[dict[str, Any]], tolerance: float = 0.5
) -> list[tuple[dict[str, Any], str]]:
    """Each true transition paired with the kind of the found boundary matched to it (one to one)."""
    used: set[int] = set()
    pairs = []
    for t in truth:
        for n, (time, kind) in enumerate(found):
            if n not in used and abs(time - t["time"]) <= tolerance:
                used.add(n)
                pairs.append((t, kind))
                break
    return pairs


_UNITS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_ORDINALS = {
    "first": "one",
    "second": "two",
    "third": "three",
    "fourth": "four",
    "fifth": "five",
    "eighth": "eight",
    "ninth": "nine",
    "twelfth": "twelve",
    "fourteenth": "fourteen",
}


def _spoken_numbers_to_digits(tokens: list[str]) -> list[str]:
    """Runs of number words as one number in digits ("four hundred ninety nine" -> "499")."""
    out: list[str] = []
    total = current = 0
    in_number = False
    for token in [*tokens, ""]:
        word = _ORDINALS.get(token, token)
        if (
            word in _UNITS
            or word in _TENS
            or word in ("hundred", "thousand")
            or (word == "and" and in_number)
        ):
            in_number = True
            if word in _UNITS:
                current += _UNITS.index(word)
            elif word in _TENS:
                current += 20 + 10 * _TENS.index(word)
            elif word == "hundred":
                current = max(current, 1) * 100
            elif word == "thousand":
                total += max(current, 1) * 1000
                current = 0
            continue
        if in_number:
            out.append(str(total + current))
            total = current = 0
            in_number = False
        if token:
            out.append(token)
    return out


def normalised_words(text: str) -> list[str]:
    """Lower-case words with numbers as digits either way ("twenty percent" and "20%" agree)."""
    text = text.lower().replace("%", " percent")
    tokens = re.findall(r"[a-z]+|[0-9]+", re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text.replace(",", "")))
    return _spoken_numbers_to_digits(tokens)


def normalised_wer(ref: str, hyp: str) -> float:
    """Word error rate after `normalised_words` on both sides."""
    return wer(" ".join(normalised_words(ref)), " ".join(normalised_words(hyp)))


#: Titles as written and as read out ("Mr." and "mister" agree).
_TITLES = {"mr": "mister", "mrs": "missus", "dr": "doctor"}


def read_speech_words(text: str) -> list[str]:
    """`normalised_words`, and titles as read out: for transcripts of read books."""
    return [_TITLES.get(w, w) for w in normalised_words(text)]


def word_errors(ref: list[str], hyp: list[str]) -> int:
    """Substitutions, insertions and deletions that turn `hyp` into `ref` (word lists)."""
    d = list(range(len(hyp) + 1))
    for i in range(1, len(ref) + 1):
        prev, d[0] = d[0], i
        for j in range(1, len(hyp) + 1):
            cur = min(d[j] + 1, d[j - 1] + 1, prev + (ref[i - 1] != hyp[j - 1]))
            prev, d[j] = d[j], cur
    return d[len(hyp)]
