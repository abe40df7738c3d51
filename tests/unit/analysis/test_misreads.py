"""Misread copies of a line are dropped; distinct lines and lines of whole words are kept."""

from __future__ import annotations

from visionscope.analysis.misreads import piece_distance, without_misreads
from visionscope.analysis.ocr import OcrLine


def _texts(lines: list[OcrLine]) -> list[str]:
    return [line.text for line in lines]


def test_piece_distance_finds_the_closest_stretch() -> None:
    assert piece_distance("entals", "cargobikerentals") == 0
    assert piece_distance("lowey", "marketingspendlower") == 1
    assert piece_distance("rewiev", "quarterlybudgetreview") == 2
    assert piece_distance("veiw", "review") == 1  # an adjacent swap is one edit
    assert piece_distance("volcano", "cargobikerentals") >= 4


def test_pieces_and_near_misses_of_a_better_line_are_dropped() -> None:
    lines = [
        OcrLine("Cargo Bike Rentals", 96.4, 0.05),
        OcrLine("e Rentals", 94.5, 0.05),
        OcrLine("entals", 89.7, 0.05),
        OcrLine("Marketing Spend Lower", 96.2, 0.05),
        OcrLine("pend Lowey", 87.5, 0.05),
        OcrLine("Gamera", 86.0, 0.05),
        OcrLine("Station Camera", 92.7, 0.05),
    ]
    kept = ["Cargo Bike Rentals", "Marketing Spend Lower", "Station Camera"]
    assert _texts(without_misreads(lines)) == kept


def test_distinct_lines_stay() -> None:
    lines = [
        OcrLine("Gate Camera 3", 96.0, 0.05),
        OcrLine("Gate 5", 90.0, 0.05),  # digits must match exactly
        OcrLine("TV", 90.0, 0.05),  # a scrap alone is not judged
        OcrLine("Camera Gate", 80.0, 0.05),  # whole words only: left to the other rules
        OcrLine("Open Until Noon", 85.0, 0.05),
        OcrLine("Garden Party", 95.0, 0.05),
    ]
    assert _texts(without_misreads(lines)) == _texts(lines)


def test_a_better_line_decides_and_near_misses_can_be_left_out() -> None:
    worse_first = [OcrLine("Nime Euros", 81.1, 0.05), OcrLine("Tickets From Nine Euros", 96.3, 0.05)]
    assert _texts(without_misreads(worse_first)) == ["Tickets From Nine Euros"]
    assert _texts(without_misreads(worse_first, near_misses=False)) == _texts(worse_first)
    pieces = [OcrLine("tation", 93.9, 0.05), OcrLine("Station Square", 95.0, 0.05)]
    assert _texts(without_misreads(pieces, near_misses=False)) == ["Station Square"]


def test_a_word_read_in_pieces_gives_way_to_its_whole_reading_however_sure() -> None:
    # A title over two colours of background: one picture reads "Bre" and "aks", another "Breaks".
    scene = [
        OcrLine("Bre", 96.7, 0.07),
        OcrLine("15 Minutes Every 2 Hours", 96.2, 0.04),
        OcrLine("aks", 96.6, 0.07),
        OcrLine("Breaks", 96.0, 0.07),
    ]
    assert _texts(without_misreads(scene, near_misses=False)) == ["15 Minutes Every 2 Hours", "Breaks"]
    split = ["Why", "Red", "Iron Oxi", "de Dust", "Why Red", "Iron Oxide Dust"]
    scene = [OcrLine(text, 96.0 if " " in text else 96.9, 0.05) for text in split]
    assert _texts(without_misreads(scene, near_misses=False)) == ["Why Red", "Iron Oxide Dust"]
    # a word of its own, or a short scrap, is not a piece
    own = [OcrLine("Car", 97.0, 0.05), OcrLine("Cargo Bike", 90.0, 0.05), OcrLine("TV", 97.0, 0.05)]
    assert _texts(without_misreads(own, near_misses=False)) == ["Car", "Cargo Bike", "TV"]
