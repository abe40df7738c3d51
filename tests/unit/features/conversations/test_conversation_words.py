"""Numbers, words and times: the pieces questions and evidence are matched with."""

from __future__ import annotations

import pytest

from visionscope.features.conversations.answers.numbers import read_number_words, replace_number_words, spell
from visionscope.features.conversations.answers.terms import (
    content_words,
    coverage,
    same_term,
    stem,
    vocabulary,
)
from visionscope.features.conversations.answers.timecodes import clock, mark, marks_in, spoken_length
from visionscope.features.conversations.answers.units import with_other_units


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("four thousand calls", "4000 calls"),
        ("at forty seconds", "at 40 seconds"),
        ("twenty-five people", "25 people"),
        ("one hundred and twelve", "112"),
        ("fifty machines tomorrow", "50 machines tomorrow"),
        ("three million euros", "3000000 euros"),
        ("and then", "and then"),
        ("four hundred ninety nine dollars", "499 dollars"),
        ("twenty-eight and a half thousand fans", "28.5 thousand fans"),
        ("2 and a half hours", "2.5 hours"),
        ("one and a quarter", "1.25"),
    ],
)
def test_numbers_in_words_become_digits(text: str, expected: str) -> None:
    assert replace_number_words(text) == expected


def test_numbers_are_spelled_and_read_back() -> None:
    for n in (0, 7, 13, 20, 42, 50, 100, 499, 4000, 1_234_567):
        words = spell(n).replace("-", " ").split()
        assert read_number_words(words) == (n, len(words))


def test_stems_match_forms_of_a_word() -> None:
    pairs = [
        ("answered", "answer"),
        ("tested", "test"),
        ("increased", "increase"),
        ("bicycles", "bicycle"),
        ("glasses", "glass"),
        ("machines", "machine"),
        ("parked", "park"),
        ("opening", "open"),
        ("stopped", "stop"),
        ("batteries", "battery"),
        ("adding", "added"),
        ("taking", "take"),
        ("named", "name"),
        ("voted", "vote"),
        ("going", "go"),
        ("used", "use"),
        ("fed", "feed"),
    ]
    for a, b in pairs:
        assert stem(a) == stem(b), (a, b)
    assert stem("spring") == "spring" and stem("status") == "status"
    assert stem("string") == "string" and stem("thing") == "thing" and stem("during") == "during"
    assert same_term(stem("electric"), stem("electrical")) and not same_term("cat", "category")


def test_coverage_is_literal_or_by_meaning() -> None:
    held = vocabulary(["Our customer support team answered four thousand calls last month."])
    found = coverage(["calls", "customer", "support", "answer"], held)
    assert found.complete and found.literal_share == 1.0
    assert "4000" in held  # numbers in words are held as digits
    missing = coverage(["ceo", "customer"], held)
    assert missing.missing == ("ceo",) and missing.share == 0.5
    by_meaning = coverage(
        ["phones"], held, lambda word, candidates: word == "phones" and "calls" in candidates
    )
    assert by_meaning.complete and by_meaning.related == ("phones",)
    assert content_words("The red truck is parked.") == ["red", "truck", "parked"]


def test_times_are_written_for_people_and_players() -> None:
    assert clock(65.4) == "1:05" and clock(3723) == "1:02:03"
    assert mark(65.9) == "[01:05]" and mark(3723) == "[1:02:03]"
    assert marks_in("said [00:15] and [01:02:03], not [9:99]") == [15, 3723]
    assert spoken_length(60.0) == "60 seconds (1:00)" and spoken_length(7.5) == "7.5 seconds"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Do I need 0.3 kg of rice?", "Do I need 0.3 kg (300 grams) of rice?"),
        ("Is it done in half an hour?", "Is it done in half an hour (30 minutes)?"),
        ("Is kick-off at 15:00?", "Is kick-off at 15:00 (3 pm)?"),
        ("Is the line 2.4 km long?", "Is the line 2.4 km (2400 metres) long?"),
        ("Does it take 90 min?", "Does it take 90 min (1.5 hours)?"),
        ("do i need two kilos of flour?", "do i need 2 kilos (2000 grams) of flour?"),
        # nothing people would say: left alone
        ("Does it weigh under 40 grams?", "Does it weigh under 40 grams?"),
        ("Can a forklift do 10 km/h?", "Can a forklift do 10 km/h?"),
        ("Is it at 9:30?", "Is it at 9:30?"),
        ("do I need point three kilos?", "do I need point three kilos?"),
        ("Did it land in 2021?", "Did it land in 2021?"),
    ],
)
def test_quantities_are_also_given_in_the_other_unit(question: str, expected: str) -> None:
    assert with_other_units(question) == expected
