"""Numbers written in words and in digits: "four thousand" is 4000, 50 is "fifty"."""

from __future__ import annotations

import re
from collections.abc import Sequence

UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
    "twentieth": 20,
}
NUMBER_WORDS = frozenset(UNITS) | frozenset(TENS) | frozenset(SCALES)


def read_number_words(words: Sequence[str]) -> tuple[int, int] | None:
    """The number that the leading words spell and how many words it took, or None.

    "four thousand calls" -> (4000, 2); "twenty five" -> (25, 2); "one hundred and twelve" -> (112, 4).
    """
    total = current = 0
    used = 0
    seen = False
    i = 0
    while i < len(words):
        word = words[i]
        if word in UNITS:
            if seen and current % 10 and current < 100 and current % 100 != 0:
                break  # "five six" are two numbers
            current += UNITS[word]
        elif word in TENS:
            if seen and current % 100:
                break
            current += TENS[word]
        elif word in SCALES and seen:
            scale = SCALES[word]
            if scale == 100:
                current = max(current, 1) * 100
            else:
                total += max(current, 1) * scale
                current = 0
        elif word == "and" and seen and i + 1 < len(words) and words[i + 1] in NUMBER_WORDS:
            i += 1
            continue
        else:
            break
        seen = True
        i += 1
        used = i
    if not seen:
        return None
    return total + current, used


def spell(number: int) -> str:
    """A whole number in words: 4000 -> "four thousand", 25 -> "twenty-five"."""
    if number < 0:
        return "minus " + spell(-number)
    if number < 20:
        return next(w for w, v in UNITS.items() if v == number)
    if number < 100:
        tens, unit = divmod(number, 10)
        word = next(w for w, v in TENS.items() if v == tens * 10)
        return word if unit == 0 else f"{word}-{spell(unit)}"
    for scale_word, scale in sorted(SCALES.items(), key=lambda kv: -kv[1]):
        if number >= scale:
            head, rest = divmod(number, scale)
            words = f"{spell(head)} {scale_word}"
            return words if rest == 0 else f"{words} {spell(rest)}"
    return str(number)


#: "28 and a half", "1 and a quarter": a whole number and a fraction.
_AND_A_FRACTION = re.compile(r"\b(\d+) and an? (half|quarter)\b")
_FRACTIONS = {"half": ".5", "quarter": ".25"}
_WORD = re.compile(r"[a-z]+(?:-[a-z]+)?|\S+|\s+")


def replace_number_words(text: str) -> str:
    """`text` (lower-case) with numbers in words written in digits: "at forty seconds" -> "at 40 seconds"."""
    pieces = _WORD.findall(text)
    out: list[str] = []
    i = 0
    while i < len(pieces):
        piece = pieces[i]
        if piece.replace("-", "").isalpha() and (piece in NUMBER_WORDS or piece.split("-")[0] in TENS):
            words: list[str] = []
            spans: list[int] = []
            j = i
            while j < len(pieces):
                p = pieces[j]
                if p.isspace():
                    j += 1
                    continue
                parts = p.split("-")
                if all(x in NUMBER_WORDS or x == "and" for x in parts):
                    words.extend(parts)
                    spans.append(j)
                    j += 1
                    continue
                break
            found = read_number_words(words)
            if found is not None:
                value, used = found
                consumed = 0
                last = i
                for k in spans:
                    consumed += len(pieces[k].split("-"))
                    last = k
                    if consumed >= used:
                        break
                out.append(str(value))
                i = last + 1
                continue
        out.append(piece)
        i += 1
    return _AND_A_FRACTION.sub(lambda m: m[1] + _FRACTIONS[m[2]], "".join(out))
