"""Small pieces: colour names, OCR clean-up and merging, chapters."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from visionscope.analysis import Keyframe, Scene
from visionscope.analysis.ocr import OcrLine, clean_token, ocr_image, parse_tsv
from visionscope.analysis.text import merge_lines
from visionscope.analysis.visual import COLOR_NAMES, name_pixels

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


def _names(*rgb: tuple[int, int, int]) -> list[str]:
    arr = np.array(rgb, dtype=np.float32) / 255.0
    return [COLOR_NAMES[i] for i in name_pixels(arr)]


def test_colour_names() -> None:
    assert _names(
        (31, 58, 147),
        (139, 26, 26),
        (30, 107, 52),
        (91, 44, 131),
        (255, 136, 0),
        (139, 69, 19),
        (250, 220, 30),
        (255, 182, 193),
        (0, 0, 0),
        (255, 255, 255),
        (128, 128, 128),
        (0, 200, 220),
    ) == [
        "blue",
        "red",
        "green",
        "purple",
        "orange",
        "brown",
        "yellow",
        "pink",
        "black",
        "white",
        "grey",
        "cyan",
    ]


def test_ocr_noise_is_dropped() -> None:
    assert clean_token("“Bata") == "Bata"
    assert clean_token("|") == "" and clean_token("—") == "" and clean_token("..") == ""
    # a space read as a full stop between a number and a word: "300 Grams", not 300.
    assert clean_token("300.Grams") == "300 Grams" and clean_token("2.4") == "2.4"
    header = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
    rows = [
        "5\t1\t2\t1\t1\t1\t0\t0\t100\t50\t96.0\tDenver",
        "5\t1\t2\t1\t1\t2\t0\t0\t100\t50\t95.0\tWarehouse",
        "5\t1\t3\t1\t1\t1\t0\t0\t10\t30\t12.5\tBa,",  # unsure
        "5\t1\t4\t1\t1\t1\t0\t0\t10\t30\t60.0\tae",  # a lone scrap
        "5\t1\t5\t1\t1\t1\t0\t0\t10\t30\t90.0\t|",  # not a word
        "5\t2\t1\t1\t1\t1\t0\t0\t100\t36\t93.0\tSecond",
    ]
    pages = parse_tsv(header + "\n".join(rows) + "\n", [720, 720], 50.0)
    assert [line.text for line in pages[0]] == ["Denver Warehouse"]
    assert pages[0][0].height == round(50 / 720, 4)
    assert [line.text for line in pages[1]] == ["Second"]


def test_ocr_reads_a_picture(tmp_path: Path) -> None:
    img = Image.new("RGB", (960, 540), (139, 26, 26))
    draw = ImageDraw.Draw(img)
    draw.text((120, 200), "Opening September 30", fill="white", font=ImageFont.truetype(str(FONT), 48))
    path = tmp_path / "frame.jpg"
    img.save(path, quality=90)
    assert [line.text for line in ocr_image(path)] == ["Opening September 30"]
    blank = tmp_path / "blank.jpg"
    Image.new("RGB", (960, 540), (30, 107, 52)).save(blank)
    assert ocr_image(blank) == []


def _scene(index: int, start: float, end: float, times: list[float]) -> Scene:
    return Scene(
        index,
        start,
        end,
        f"k{index}.jpg",
        times[len(times) // 2],
        "t.jpg",
        tuple(Keyframe(t, f"k{index}_{t}.jpg") for t in times),
        (),
        0.5,
        0.0,
    )


def test_identical_lines_merge_across_keyframes_and_scenes() -> None:
    logo = OcrLine("ACME News", 90.0, 0.03)
    title = OcrLine("Storm warning", 95.0, 0.07)
    result = merge_lines(
        [
            (_scene(0, 0.0, 60.0, [10.0, 30.0, 50.0]), [[logo, title], [logo, title], [logo]]),
            (_scene(1, 60.0, 70.0, [65.0]), [[OcrLine("ACME  news", 91.0, 0.03)]]),
            (_scene(2, 70.0, 80.0, [75.0]), [[]]),
            (_scene(3, 80.0, 90.0, [85.0]), [[logo]]),
        ]
    )
    spans = [(s.text, s.start, s.end, s.scene) for s in result.spans]
    assert spans == [
        ("Storm warning", 0.0, 40.0, 0),
        ("ACME News", 0.0, 70.0, 0),
        ("ACME News", 80.0, 90.0, 3),
    ]


def test_a_line_read_with_a_word_more_or_less_is_one_span_with_the_longer_text() -> None:
    result = merge_lines(
        [
            (
                _scene(0, 0.0, 9.0, [1.0, 4.5, 8.0]),
                [
                    [OcrLine("Northern Lights", 80.0, 0.05)],
                    [OcrLine("Northern Lights Festival", 90.0, 0.05)],
                    [OcrLine("Lights Festival", 85.0, 0.05)],
                ],
            ),
        ]
    )
    assert [(s.text, s.start, s.end) for s in result.spans] == [("Northern Lights Festival", 0.0, 9.0)]
