"""Judging an answer: key facts in its words (numbers however written) and a citation in the right scene."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from eval.qa import Question

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
SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
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
    "twentieth": 20,
    "thirtieth": 30,
}
#: How many times, as a count: "scored twice" states 2 goals.
TIMES = {"twice": 2, "thrice": 3}
SPELLINGS = {
    "metre": "meter",
    "metres": "meters",
    "kilometre": "kilometer",
    "kilometres": "kilometers",
    "colour": "color",
    "colours": "colors",
    "km": "kilometers",
    "kg": "kilos",
    "kilograms": "kilos",
    "per": "per",
    "pm": "pm",
    "vs": "versus",
    "centre": "center",
}
TOLERANCE = 0.25
TOKEN = re.compile(r"\d+(?:\.\d+)?|[a-z]+")


def _number_words(tokens: list[str]) -> list[str]:
    """Runs of number words become digits: `two point four` 2.4, `four thousand` 4000, `twelfth` 12."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        word = tokens[i]
        if word in ORDINALS or word in TIMES:
            out.append(str(ORDINALS.get(word) or TIMES[word]))
            i += 1
            continue
        if word not in UNITS and word not in TENS:
            out.append(word)
            i += 1
            continue
        total, current = 0, 0
        while i < len(tokens) and (
            tokens[i] in UNITS
            or tokens[i] in TENS
            or tokens[i] in SCALES
            or (
                tokens[i] == "and"
                and current
                and i + 1 < len(tokens)
                and (tokens[i + 1] in UNITS or tokens[i + 1] in TENS)
            )
        ):
            word = tokens[i]
            if word in UNITS:
                current += UNITS[word]
            elif word in TENS:
                current += TENS[word]
            elif word in SCALES:
                scale = SCALES[word]
                if scale == 100:
                    current = max(current, 1) * 100
                else:
                    total += max(current, 1) * scale
                    current = 0
            i += 1
        value = str(total + current)
        if i + 1 < len(tokens) and tokens[i] == "point" and tokens[i + 1] in UNITS:
            decimals = ""
            i += 1
            while i < len(tokens) and tokens[i] in UNITS and UNITS[tokens[i]] < 10:
                decimals += str(UNITS[tokens[i]])
                i += 1
            value = f"{value}.{decimals}"
        out.append(value)
    return out


def _stem(token: str) -> str:
    token = SPELLINGS.get(token, token)
    if len(token) > 5 and token.endswith("oes"):  # potatoes, tomatoes
        return token[:-2]
    if len(token) > 4 and token.endswith("ies"):  # batteries
        return token[:-3] + "y"
    if len(token) > 3 and token.endswith("s") and not token.endswith("ss"):
        return token[:-1]
    return token


def normalise(text: str) -> list[str]:
    """Lower-case word and number tokens, numbers as digits, light plural and spelling folding."""
    text = text.lower().replace("%", " percent ")
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)  # 28,500 -> 28500
    text = re.sub(r"(?<=\d)(st|nd|rd|th)\b", "", text)  # 3rd -> 3
    text = re.sub(r"\b(\d+)\.0+\b", r"\1", text)  # 60.0 -> 60
    tokens = TOKEN.findall(text.replace("-", " "))
    return [_stem(t) for t in _number_words(tokens)]


def contains(content_tokens: list[str], fact: str) -> bool:
    wanted = normalise(fact)
    if not wanted:
        return False
    n = len(wanted)
    return any(content_tokens[i : i + n] == wanted for i in range(len(content_tokens) - n + 1))


@dataclass(frozen=True)
class Verdict:
    correct: bool
    reason: str


def _overlaps(citation: dict[str, Any], spans: list[tuple[float, float]]) -> bool:
    start, end = float(citation.get("start", 0.0)), float(citation.get("end", 0.0))
    return any(start < b + TOLERANCE and end > a - TOLERANCE for a, b in spans)


def judge(question: Question, answer: dict[str, Any], scene_spans: list[tuple[float, float]]) -> Verdict:
    """Right or wrong, and why. `scene_spans` are the video's scenes (start, end) in seconds."""
    grounded = answer.get("grounded") is True
    citations = answer.get("citations") or []
    if question.refuse:
        if grounded or citations:
            return Verdict(False, "answered a question the video cannot answer")
        return Verdict(True, "refused")
    if not grounded or not citations:
        return Verdict(False, "refused an answerable question")
    tokens = normalise(str(answer.get("content", "")))
    opposite = {"yes": "no", "no": "yes"}.get(question.answer)
    if opposite and tokens[:1] == [opposite]:
        return Verdict(False, f"said {opposite}")
    for group in question.facts:
        if not any(contains(tokens, fact) for fact in group):
            return Verdict(False, f"missing {' / '.join(group)}")
    if question.scenes:
        spans = [scene_spans[i] for i in question.scenes if i < len(scene_spans)]
        if not any(_overlaps(c, spans) for c in citations):
            return Verdict(False, f"no citation in scene {', '.join(map(str, question.scenes))}")
    return Verdict(True, "answered")
