"""Quantities in a question in the other units people use for them: "0.3 kg" is also "300
grams", "half an hour" "30 minutes", "15:00" "3 pm". The model is asked with both, so a question
in kilograms finds the evidence in grams. Pure."""

from __future__ import annotations

import re

from .numbers import replace_number_words

_NUMBER = r"(\d+(?:\.\d+)?)"
#: unit words -> (the other unit's name, factor to it)
_CONVERSIONS: tuple[tuple[str, str, float], ...] = (
    (r"kg|kgs|kilos?|kilograms?|kilogrammes?", "grams", 1000.0),
    (r"g|grams?|grammes?", "kilograms", 0.001),
    (r"km|kms|kilometres?|kilometers?", "metres", 1000.0),
    (r"m|metres?|meters?", "kilometres", 0.001),
    (r"h|hrs?|hours?", "minutes", 60.0),
    (r"mins?|minutes?", "hours", 1 / 60),
    (r"l|litres?|liters?", "millilitres", 1000.0),
    (r"ml|millilitres?|milliliters?", "litres", 0.001),
)
_AMOUNT = re.compile(
    rf"\b{_NUMBER}\s*(" + "|".join(f"(?:{words})" for words, _, _ in _CONVERSIONS) + r")\b(?!/)",
    re.IGNORECASE,
)
_HALF_HOUR = re.compile(r"\b(?:half an hour|a half hour|half-an-hour)\b", re.IGNORECASE)
_HOUR_AND_A_HALF = re.compile(r"\b(?:an|one) hour and a half\b", re.IGNORECASE)
_QUARTER_HOUR = re.compile(r"\ba quarter of an hour\b", re.IGNORECASE)
_CLOCK_24 = re.compile(r"\b([01]?\d|2[0-3]):([0-5]\d)\b(?!\s*(?:am|pm|a\.m|p\.m))", re.IGNORECASE)


def _number(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


#: A converted amount is given when it is a number people say: at least 1, at most this, and
#: whole or with one decimal ("0.3 kg" is "300 grams"; "40 grams" is not "0.04 kilograms").
_LARGEST = 10_000


def _converted(m: re.Match[str]) -> str:
    value, unit = float(m[1]), m[2].lower()
    for words, other, factor in _CONVERSIONS:
        if re.fullmatch(words, unit):
            converted = value * factor
            if 1 <= converted <= _LARGEST and abs(converted * 10 - round(converted * 10)) < 1e-6:
                return f"{m[0]} ({_number(converted)} {other})"
            return m[0]
    return m[0]


def _clock(m: re.Match[str]) -> str:
    hour, minute = int(m[1]), int(m[2])
    if hour < 12 and hour != 0:
        return m[0]  # "9:30" is the same either way
    twelve = hour % 12 or 12
    suffix = "pm" if hour >= 12 else "am"
    return f"{m[0]} ({twelve}{'' if minute == 0 else f':{minute:02d}'} {suffix})"


def with_other_units(question: str) -> str:
    """The question with each quantity also in the other unit it is given in ("do I need 0.3 kg
    of rice?" -> "do I need 0.3 kg (300 grams) of rice?")."""
    if re.search(r"\d", question):
        text = _AMOUNT.sub(_converted, question)
    elif re.search(r"\bpoint\b", question, re.IGNORECASE):
        text = question  # "point three kilos": not read here
    else:  # "two kilos": in digits, only if an amount is converted
        spelled = replace_number_words(question.lower())
        converted = _AMOUNT.sub(_converted, spelled)
        text = converted if converted != spelled else question
    text = _HOUR_AND_A_HALF.sub(lambda m: f"{m[0]} (90 minutes)", text)
    text = _HALF_HOUR.sub(lambda m: f"{m[0]} (30 minutes)", text)
    text = _QUARTER_HOUR.sub(lambda m: f"{m[0]} (15 minutes)", text)
    return _CLOCK_24.sub(_clock, text)
