"""Reading one picture with tesseract: the passes, and which of their lines to keep.

Each picture is turned grey and inverted (light text on dark backgrounds becomes dark on
light, which tesseract reads best) and read with page segmentation mode 11 (sparse text:
finds text anywhere, also on busy backgrounds where the default mode misses it). Two more
passes read what that one loses: the picture's near-white and near-black pixels alone ("ink",
for captions over busy pictures and pale text on light backgrounds) and, on small pictures,
a local threshold. Words are kept when tesseract is confident and they contain a letter or
digit; partial and misread copies of a better line of the same picture are dropped.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from statistics import median

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageOps

from .misreads import line_key, without_misreads
from .tesseract import TesseractEngine

_WORD = re.compile(r"[A-Za-z0-9]")
#: "300.Grams": a space between a number and a word, read as a full stop.
_NUMBER_DOT_WORD = re.compile(r"(?<=\d)\.(?=[A-Z][a-z])")
_EDGE_JUNK = "\"'`\u201c\u201d\u2018\u2019|!\u00a1.,;:_~*^\u00b0\u00ab\u00bb()[]{}<>"
Mask = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class OcrOptions:
    language: str = "eng"
    psm: int = 11
    min_confidence: float = 50.0
    second_pass_below: int = 576
    """Pictures lower than this are also read with Sauvola (local) thresholding, and the new words
    added: small text on gradients is lost by the global threshold. Costs little on small pictures."""
    workers: int = 0
    """Parallel tesseract processes; 0 means one per CPU core."""
    bright_ink: int = 235
    """Also read the picture's near-white pixels alone (grey at least this), and..."""
    dark_ink: int = 60
    """...its near-black ones (grey at most this): captions over busy pictures and pale text on
    light gradients come out clean where the whole picture does not."""
    flat_share: float = 0.6
    """No ink pass when this share of the picture is within 12 grey levels of its median (a plain
    background, where the whole picture reads well)."""
    ink_max_height: int = 1080
    """Ink pictures of taller keyframes are made smaller (outlined text suffers below 720 lines)."""
    ink_min_confidence: float = 75.0
    """Lines of the ink passes are kept from this confidence (busy pictures give scraps there)."""
    ink_share: tuple[float, float] = (0.001, 0.25)
    """An ink pass runs when that share of the picture is so bright (or dark): text, not background."""
    ink_read_confidence: float = 80.0
    """Ink inside the box of a line the first pass read with this confidence (every word) is not
    read again;
    when less than `ink_left_share` of the picture is left, the ink pass is skipped, else it reads
    only the part of the picture where ink is left."""
    ink_left_share: float = 0.0003
    sure_confidence: float = 90.0
    """A picture whose lines were all read with this confidence is read well: other pictures of
    the same scene get a quick look first (below), and are read in full only if it finds new words."""
    quick_look_height: int = 360
    """The quick look: the first pass alone, on the picture made this many lines high."""


@dataclass(frozen=True, slots=True)
class OcrLine:
    text: str
    confidence: float
    height: float
    """Letter height as a fraction of the picture's height."""


@dataclass(frozen=True, slots=True)
class _Box:
    left: int
    top: int
    width: int
    height: int


def clean_token(token: str) -> str:
    """A recognised word without surrounding punctuation; '' when it is noise."""
    token = token.strip().strip(_EDGE_JUNK)
    if not _WORD.search(token):
        return ""
    return _NUMBER_DOT_WORD.sub(" ", token)


def _word_rows(tsv: str) -> list[dict[str, str]]:
    return [
        row
        for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE)
        if row.get("level") == "5"
    ]


def _lines_of(rows: list[dict[str, str]], image_height: int, min_confidence: float) -> list[OcrLine]:
    lines: dict[tuple[str, str, str], list[tuple[str, float, float]]] = {}
    for row in rows:
        try:
            conf = float(row["conf"])
            height = float(row["height"])
        except (KeyError, TypeError, ValueError):
            continue
        word = clean_token(row.get("text") or "")
        if not word or conf < min_confidence or (len(word) == 1 and conf < 80):
            continue
        lines.setdefault((row["block_num"], row["par_num"], row["line_num"]), []).append((word, conf, height))
    out: list[OcrLine] = []
    for words in lines.values():
        if len(words) == 1 and len(words[0][0]) <= 3 and words[0][1] < 85:
            continue  # a lone scrap of up to three letters is nearly always noise
        out.append(
            OcrLine(
                text=" ".join(w for w, _, _ in words),
                confidence=round(sum(c for _, c, _ in words) / len(words), 1),
                height=round(median(h for _, _, h in words) / max(1, image_height), 4),
            )
        )
    return out


def parse_tsv(tsv: str, image_heights: Sequence[int], min_confidence: float) -> list[list[OcrLine]]:
    """Lines of each page (picture) of tesseract's TSV output, keeping confident words that are not noise."""
    pages: list[list[dict[str, str]]] = [[] for _ in image_heights]
    for row in _word_rows(tsv):
        try:
            page = int(row["page_num"]) - 1
        except (KeyError, TypeError, ValueError):
            continue
        if 0 <= page < len(pages):
            pages[page].append(row)
    return [_lines_of(rows, h, min_confidence) for rows, h in zip(pages, image_heights, strict=True)]


def _read_boxes(rows: list[dict[str, str]], min_confidence: float) -> list[_Box]:
    """Where the lines are whose every word was read with at least `min_confidence`."""
    lines: dict[tuple[str, str, str], list[tuple[float, _Box]]] = {}
    for row in rows:
        if not clean_token(row.get("text") or ""):
            continue
        try:
            box = _Box(*(int(row[k]) for k in ("left", "top", "width", "height")))
            lines.setdefault((row["block_num"], row["par_num"], row["line_num"]), []).append(
                (float(row["conf"]), box)
            )
        except (KeyError, TypeError, ValueError):
            continue
    boxes = []
    for words in lines.values():
        if min(conf for conf, _ in words) >= min_confidence:
            left, top = min(b.left for _, b in words), min(b.top for _, b in words)
            right = max(b.left + b.width for _, b in words)
            bottom = max(b.top + b.height for _, b in words)
            boxes.append(_Box(left, top, right - left, bottom - top))
    return boxes


def read_picture(engine: TesseractEngine, picture: Image.Image, opts: OcrOptions) -> list[OcrLine]:
    """The text lines of one picture: the passes it needs, in one tesseract process."""
    grey = picture.convert("L")
    rows = _word_rows(engine.read(np.asarray(ImageOps.invert(grey)), psm=opts.psm))
    lines = _lines_of(rows, grey.height, opts.min_confidence)
    ink = _ink_picture(grey, _read_boxes(rows, opts.ink_read_confidence), opts, flat_reads=bool(lines))
    if ink is not None:
        ink_height = min(grey.height, opts.ink_max_height)
        more = _lines_of(_word_rows(engine.read(ink, psm=opts.psm)), ink_height, opts.min_confidence)
        lines = _add_new_words(lines, [line for line in more if line.confidence >= opts.ink_min_confidence])
    if grey.height < opts.second_pass_below:
        again = engine.read(np.asarray(ImageOps.invert(grey)), psm=opts.psm, local_threshold=True)
        lines = _add_new_words(lines, _lines_of(_word_rows(again), grey.height, opts.min_confidence))
    return without_misreads(_without_fragments(lines))


def read_well(lines: list[OcrLine], opts: OcrOptions) -> bool:
    """Every line read with at least `sure_confidence` (no doubt another picture would settle)."""
    return all(line.confidence >= opts.sure_confidence for line in lines)


def shows_new_words(
    engine: TesseractEngine, picture: Image.Image, known: list[OcrLine], opts: OcrOptions
) -> bool:
    """A quick look at a picture of a scene whose other picture read as `known`: the first pass
    alone on a smaller picture; True when it reads, with confidence, a word with a letter that
    `known` lacks (text that came, or text read differently), so that the picture needs reading."""
    grey = picture.convert("L")
    if grey.height > opts.quick_look_height:
        width = round(grey.width * opts.quick_look_height / grey.height)
        grey = grey.resize((width, opts.quick_look_height), Image.Resampling.BOX)
    rows = _word_rows(engine.read(np.asarray(ImageOps.invert(grey)), psm=opts.psm))
    seen = {w for line in known for w in line_key(line.text).split()}
    for row in rows:
        try:
            sure = float(row["conf"]) >= opts.ink_read_confidence
        except (KeyError, TypeError, ValueError):
            continue
        word = line_key(row.get("text") or "")
        if sure and any(c.isalpha() for c in word) and set(word.split()) - seen:
            return True
    return False


def ocr_images(
    paths: Sequence[str | Path], options: OcrOptions | None = None, engine: TesseractEngine | None = None
) -> list[list[OcrLine]]:
    """Text lines of each picture file (with a tesseract process of its own unless one is given)."""
    opts = options or OcrOptions()
    if not paths:
        return []
    if engine is None:
        with TesseractEngine(opts.language) as own:
            return ocr_images(paths, opts, own)
    out = []
    for path in paths:
        with Image.open(path) as picture:
            out.append(read_picture(engine, picture, opts))
    return out


def ocr_image(path: str | Path, options: OcrOptions | None = None) -> list[OcrLine]:
    """Text lines of one picture file."""
    return ocr_images([path], options)[0]


def _ink_picture(
    grey: Image.Image, read: list[_Box], opts: OcrOptions, *, flat_reads: bool = True
) -> npt.NDArray[np.uint8] | None:
    """A black-on-white picture of only the near-white and only the near-black pixels (one above
    the other), when there are few enough of them to be text, without the ink of words already
    read well, cropped to the ink left; None when there is nothing to read. A flat background
    gets no ink pass when the picture itself read (`flat_reads`): white text in dark boxes on a
    bright plain colour reads as nothing, and its ink alone reads well."""
    scale = 1.0
    if grey.height > opts.ink_max_height:
        scale = opts.ink_max_height / grey.height
        grey = grey.resize((round(grey.width * scale), opts.ink_max_height), Image.Resampling.BOX)
    pixels = np.asarray(grey)
    flat = float(np.mean(np.abs(pixels.astype(np.int16) - int(np.median(pixels))) <= 12)) >= opts.flat_share
    if flat and flat_reads:
        return None  # a flat background: the picture itself reads well
    low, high = opts.ink_share
    inks = [
        ink
        for ink in (pixels >= opts.bright_ink, pixels <= opts.dark_ink)
        if low <= float(ink.mean()) <= high
    ]
    if not inks:
        return None
    covered = _covered(pixels.shape, read, scale)
    inks = [ink & ~covered for ink in inks]
    inks = [ink for ink in inks if float(ink.mean()) >= opts.ink_left_share]
    if not inks:
        return None
    # one picture: tesseract's cost is mostly per picture and per pixel
    both = np.vstack(inks)
    rows, cols = np.flatnonzero(both.any(axis=1)), np.flatnonzero(both.any(axis=0))
    margin = 20
    both = both[
        max(0, rows[0] - margin) : rows[-1] + margin + 1, max(0, cols[0] - margin) : cols[-1] + margin + 1
    ]
    return np.where(both, 0, 255).astype(np.uint8)


def _covered(shape: tuple[int, ...], boxes: list[_Box], scale: float) -> Mask:
    """The pixels of these word boxes, with a margin of a quarter of their height."""
    covered = np.zeros(shape, dtype=bool)
    for box in boxes:
        margin = max(2, box.height // 4)
        top, bottom = round((box.top - margin) * scale), round((box.top + box.height + margin) * scale)
        left, right = round((box.left - margin) * scale), round((box.left + box.width + margin) * scale)
        covered[max(0, top) : bottom, max(0, left) : right] = True
    return covered


def _add_new_words(lines: list[OcrLine], more: list[OcrLine]) -> list[OcrLine]:
    """`lines` and the lines of `more` that bring words not read yet."""
    seen = {w for line in lines for w in line_key(line.text).split()}
    return lines + [line for line in more if set(line_key(line.text).split()) - seen]


def _without_fragments(lines: list[OcrLine]) -> list[OcrLine]:
    """Drop lines whose words all belong to a longer line of the same picture (a partial read)."""
    keys = [set(line_key(line.text).split()) for line in lines]
    return [
        line
        for n, line in enumerate(lines)
        if not any(
            (m != n and keys[n] < keys[m]) or (keys[n] == keys[m] and m < n) for m in range(len(lines))
        )
    ]
