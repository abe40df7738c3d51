"""The on-screen words given to speech recognition as hot words, and transcript segments cut at
pauses."""

from __future__ import annotations

from visionscope.analysis import Segment, TextResult, TextSpan, Word
from visionscope.analysis.speech import attach_strays, screen_vocabulary, split_at_pauses


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


def test_sentences_run_together_are_cut_at_their_pauses() -> None:
    said = [("Welcome", 0.5, 0.9), ("home.", 1.0, 1.4), ("Bikes", 3.5, 3.9), ("doubled", 4.0, 4.5)]
    said += [("and", 4.6, 4.8), ("then", 8.5, 8.9), ("more", 9.0, 9.3)]
    words = tuple(Word(start=s, end=e, word=w) for w, s, e in said)
    whole = Segment(start=0.4, end=9.5, text=" ".join(w for w, _, _ in said), words=words)
    parts = split_at_pauses(whole, 1.5)
    assert [p.text for p in parts] == ["Welcome home.", "Bikes doubled and", "then more"]
    assert [(p.start, p.end) for p in parts] == [(0.4, 1.4), (3.5, 4.8), (8.5, 9.5)]
    assert split_at_pauses(whole, 0) == [whole]


def test_a_word_left_alone_before_a_long_pause_starts_with_the_words_after_it() -> None:
    def segment(start: float, end: float, text: str) -> Segment:
        return Segment(start=start, end=end, text=text, words=())

    segments = [
        segment(43.9, 44.6, "It weighs 32 grams."),
        segment(47.8, 48.0, "The"),
        segment(53.1, 55.6, "basic model starts at 249 euros."),
        segment(61.0, 61.5, "Thanks"),
        segment(64.0, 66.0, "It comes in three finishes."),
    ]
    joined = attach_strays(segments, 1.5)
    assert [(s.start, s.end, s.text) for s in joined] == [
        (43.9, 44.6, "It weighs 32 grams."),
        (53.1, 55.6, "The basic model starts at 249 euros."),
        (61.0, 61.5, "Thanks"),  # a word that may end a sentence stays where it was said
        (64.0, 66.0, "It comes in three finishes."),
    ]


def test_a_piece_cut_at_a_pause_keeps_words_whisper_wrote_in_parts_whole() -> None:
    said = [("Lift", 0.5, 0.9), ("nothing", 1.0, 1.4), ("over", 1.5, 1.8), ("twenty", 1.9, 2.2)]
    said += [("-five", 2.2, 2.5), ("kilos.", 2.6, 3.0), ("It's", 5.5, 5.8), ("Silva's", 5.9, 6.3)]
    said += [("goal,", 6.4, 6.7), ("'cause", 6.8, 7.0), ("it", 7.1, 7.2), ("counts.", 7.3, 7.6)]
    words = tuple(Word(start=s, end=e, word=w) for w, s, e in said)
    whole = Segment(start=0.4, end=7.7, text="", words=words)
    parts = split_at_pauses(whole, 1.5)
    assert [p.text for p in parts] == [
        "Lift nothing over twenty-five kilos.",
        "It's Silva's goal, 'cause it counts.",
    ]
