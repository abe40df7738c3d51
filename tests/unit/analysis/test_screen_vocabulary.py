"""The on-screen words given to speech recognition as hot words."""

from __future__ import annotations

from visionscope.analysis import TextResult, TextSpan
from visionscope.analysis.speech import screen_vocabulary


def _span(start: float, text: str, confidence: float = 90.0) -> TextSpan:
    return TextSpan(start=start, end=start + 2, text=text, scene=0, confidence=confidence, height=0.05)


def test_distinctive_words_first_seen_first_once_each() -> None:
    text = TextResult(
        spans=(
            _span(5.0, "Denver Warehouse Opening In May"),
            _span(0.0, "QUARTERLY PLANNING 2024"),
            _span(9.0, "The Denver office"),
            _span(12.0, "Xq zzkv", confidence=30.0),  # a doubtful read gives nothing
        )
    )
    assert screen_vocabulary(text) == (
        "Quarterly",
        "Planning",
        "Denver",
        "Warehouse",
        "Opening",
        "May",
        "office",
    )


def test_no_text_no_words_and_a_limit() -> None:
    assert screen_vocabulary(None) == ()
    names = [
        "Lisbon",
        "Madrid",
        "Oslo",
        "Dublin",
        "Prague",
        "Vienna",
        "Austin",
        "Seattle",
        "Porto",
        "Lyon",
        "Denver",
        "Boston",
    ]
    many = TextResult(spans=tuple(_span(float(n), name) for n, name in enumerate(names)))
    assert screen_vocabulary(many, limit=10) == tuple(names[:10])


def test_a_misread_of_a_word_already_kept_is_left_out() -> None:
    text = TextResult(
        spans=(_span(0.0, "Serves Four People"), _span(1.0, "Four Peopie"), _span(2.0, "Rental Renta"))
    )
    assert screen_vocabulary(text) == ("Serves", "Four", "People", "Rental")
