"""On-screen text: tesseract 5 on the scenes' keyframes, merged into timed lines.

Each keyframe is turned grey and inverted (light text on dark backgrounds becomes dark on
light, which tesseract reads best) and read with page segmentation mode 11 (sparse text:
finds text anywhere, also on busy backgrounds where the default mode misses it). Words are
kept when tesseract is confident and they contain a letter or digit; lines that appear in
consecutive keyframes or scenes are merged into one span.
"""

from __future__ import annotations

import csv
import io
import itertools
import os
import re
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from statistics import median

import numpy as np
from PIL import Image, ImageOps

from .errors import ModelMissing
from .results import ScanResult, Scene, TextResult, TextSpan

_WORD = re.compile(r"[A-Za-z0-9]")
_EDGE_JUNK = "\"'`\u201c\u201d\u2018\u2019|!\u00a1.,;:_~*^\u00b0\u00ab\u00bb()[]{}<>"


@dataclass(frozen=True, slots=True)
class OcrOptions:
    tesseract: str = "tesseract"
    language: str = "eng"
    psm: int = 11
    min_confidence: float = 50.0
    batch_size: int = 6
    """Keyframes read by one tesseract process (start-up, ~70 ms, is paid once per batch)."""
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


@dataclass(frozen=True, slots=True)
class OcrLine:
    text: str
    confidence: float
    height: float
    """Letter height as a fraction of the picture's height."""


def clean_token(token: str) -> str:
    """A recognised word without surrounding punctuation; '' when it is noise."""
    token = token.strip().strip(_EDGE_JUNK)
    if not _WORD.search(token):
        return ""
    return token


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
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        if row.get("level") != "5":
            continue
        try:
            page = int(row["page_num"]) - 1
        except (KeyError, TypeError, ValueError):
            continue
        if 0 <= page < len(pages):
            pages[page].append(row)
    return [_lines_of(rows, h, min_confidence) for rows, h in zip(pages, image_heights, strict=True)]


def _tesseract(
    opts: OcrOptions, images: list[Path], heights: list[int], extra: list[str]
) -> list[list[OcrLine]]:
    listing = images[0].parent / f"list{len(extra)}.txt"
    listing.write_text("".join(f"{p}\n" for p in images), encoding="utf-8")
    cmd = [opts.tesseract, str(listing), "stdout", "-l", opts.language, "--psm", str(opts.psm), *extra, "tsv"]
    try:
        proc = subprocess.run(  # noqa: S603 - fixed program and arguments
            cmd, capture_output=True, env=dict(os.environ, OMP_THREAD_LIMIT="1"), check=False
        )
    except FileNotFoundError as exc:
        raise ModelMissing("tesseract is not installed", "Install the Debian package tesseract-ocr") from exc
    if proc.returncode != 0:
        message = proc.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
        raise ModelMissing(f"tesseract failed: {message[0]}", "Check the tesseract-ocr installation")
    return parse_tsv(proc.stdout.decode("utf-8", errors="replace"), heights, opts.min_confidence)


def ocr_images(paths: Sequence[str | Path], options: OcrOptions | None = None) -> list[list[OcrLine]]:
    """Text lines of each picture file, read by one tesseract process (grey, inverted, psm 11)."""
    opts = options or OcrOptions()
    if not paths:
        return []
    with tempfile.TemporaryDirectory(prefix="vs-ocr-") as tmp:
        prepared: list[Path] = []
        heights: list[int] = []
        inks: list[tuple[int, Path, int]] = []  # (picture, ink-only picture, its height)
        for i, path in enumerate(paths):
            with Image.open(path) as img:
                grey = img.convert("L")
            target = Path(tmp) / f"{i:04d}.pgm"
            ImageOps.invert(grey).save(target, "PPM")  # PGM: nothing to decompress
            prepared.append(target)
            heights.append(grey.height)
            inks += [(i, p, h) for p, h in _ink_pictures(grey, opts, Path(tmp) / f"{i:04d}")]
        results = _tesseract(
            opts, [*prepared, *(p for _, p, _ in inks)], [*heights, *(h for _, _, h in inks)], []
        )
        for (i, _, _), lines in zip(inks, results[len(prepared) :], strict=True):
            sure = [line for line in lines if line.confidence >= opts.ink_min_confidence]
            results[i] = _add_new_words(results[i], sure)
        results = results[: len(prepared)]
        small = [i for i, h in enumerate(heights) if h < opts.second_pass_below]
        if small:
            again = _tesseract(
                opts,
                [prepared[i] for i in small],
                [heights[i] for i in small],
                ["-c", "thresholding_method=2"],
            )
            for i, lines in zip(small, again, strict=True):
                results[i] = _add_new_words(results[i], lines)
        return [_without_fragments(lines) for lines in results]


def _ink_pictures(grey: Image.Image, opts: OcrOptions, stem: Path) -> list[tuple[Path, int]]:
    """Black-on-white pictures (and their heights) of only the near-white and only the near-black
    pixels, when there are few enough of them to be text; at most `ink_max_height` lines high."""
    if grey.height > opts.ink_max_height:
        scale = opts.ink_max_height / grey.height
        grey = grey.resize((round(grey.width * scale), opts.ink_max_height), Image.Resampling.BOX)
    pixels = np.asarray(grey)
    if float(np.mean(np.abs(pixels.astype(np.int16) - int(np.median(pixels))) <= 12)) >= opts.flat_share:
        return []  # a flat background: the picture itself reads well
    low, high = opts.ink_share
    inks = [
        ink
        for ink in (pixels >= opts.bright_ink, pixels <= opts.dark_ink)
        if low <= float(ink.mean()) <= high
    ]
    if not inks:
        return []
    # one picture, the inks one above the other: tesseract's cost is mostly per picture
    target = stem.with_name(f"{stem.name}-ink.pgm")
    Image.fromarray(np.where(np.vstack(inks), 0, 255).astype(np.uint8)).save(target, "PPM")
    return [(target, grey.height)]


def _add_new_words(lines: list[OcrLine], more: list[OcrLine]) -> list[OcrLine]:
    """`lines` and the lines of `more` that bring words not read yet."""
    seen = {w for line in lines for w in _key(line.text).split()}
    return lines + [line for line in more if set(_key(line.text).split()) - seen]


def _without_fragments(lines: list[OcrLine]) -> list[OcrLine]:
    """Drop lines whose words all belong to a longer line of the same picture (a partial read)."""
    keys = [set(_key(line.text).split()) for line in lines]
    return [
        line
        for n, line in enumerate(lines)
        if not any(
            (m != n and keys[n] < keys[m]) or (keys[n] == keys[m] and m < n) for m in range(len(lines))
        )
    ]


def ocr_image(path: str | Path, options: OcrOptions | None = None) -> list[OcrLine]:
    """Text lines of one picture file."""
    return ocr_images([path], options)[0]


def _key(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def _coverage(scene: Scene) -> list[tuple[float, float]]:
    """The time each keyframe of a scene stands for."""
    times = [k.time for k in scene.samples]
    bounds = [scene.start] + [(a + b) / 2 for a, b in itertools.pairwise(times)] + [scene.end]
    return list(itertools.pairwise(bounds))


class OcrPool:
    """Reads keyframes in batches on worker threads, possibly while the decode pass still runs."""

    def __init__(self, work_dir: Path, options: OcrOptions | None = None) -> None:
        self.work_dir = work_dir
        self.options = options or OcrOptions()
        workers = self.options.workers or os.cpu_count() or 2
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="vs-ocr")
        self._lock = threading.Lock()
        self._queued: list[str] = []
        self._jobs: dict[str, tuple[Future[list[list[OcrLine]]], int]] = {}

    def submit_scene(self, scene: Scene) -> None:
        """Queue the scene's keyframes; a full batch starts at once (safe to call from any thread)."""
        with self._lock:
            for sample in scene.samples:
                if sample.path not in self._jobs and sample.path not in self._queued:
                    self._queued.append(sample.path)
            if len(self._queued) >= self.options.batch_size:
                self._dispatch()

    def _dispatch(self) -> None:
        batch, self._queued = self._queued, []
        if batch:
            job = self._pool.submit(ocr_images, [self.work_dir / p for p in batch], self.options)
            for n, path in enumerate(batch):
                self._jobs[path] = (job, n)

    def lines(self, path: str) -> list[OcrLine]:
        with self._lock:
            if path in self._queued:
                self._dispatch()
        job, n = self._jobs[path]
        return job.result()[n]

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> OcrPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _similar_open(key: str, open_spans: dict[str, int]) -> int | None:
    """An open span whose words contain this line's words or are contained in them (most shared)."""
    words = set(key.split())
    best: tuple[int, int] | None = None
    for other, idx in open_spans.items():
        theirs = set(other.split())
        shared = len(words & theirs)
        if (words <= theirs or theirs <= words) and shared >= 2 and (best is None or shared > best[0]):
            best = (shared, idx)
    return best[1] if best is not None else None


def merge_lines(scenes: Iterable[tuple[Scene, list[list[OcrLine]]]]) -> TextResult:
    """Timed spans from each scene's keyframes' lines; the same line in adjacent times is one span."""
    spans: list[TextSpan] = []
    open_spans: dict[str, int] = {}
    for scene, per_sample in scenes:
        for (start, end), lines in zip(_coverage(scene), per_sample, strict=True):
            still_open: dict[str, int] = {}
            for line in lines:
                key = _key(line.text)
                if not key or key in still_open:
                    continue
                idx = open_spans.get(key)
                if idx is None:  # the same line read a little differently (a word more or less)
                    idx = _similar_open(key, open_spans)
                if idx is not None and abs(spans[idx].end - start) < 1e-6:
                    old = spans[idx]
                    longer = line.text if len(key.split()) > len(_key(old.text).split()) else old.text
                    spans[idx] = TextSpan(
                        start=old.start,
                        end=round(end, 3),
                        text=longer,
                        scene=old.scene,
                        confidence=max(old.confidence, line.confidence),
                        height=max(old.height, line.height),
                    )
                else:
                    idx = len(spans)
                    spans.append(
                        TextSpan(
                            start=round(start, 3),
                            end=round(end, 3),
                            text=line.text,
                            scene=scene.index,
                            confidence=line.confidence,
                            height=line.height,
                        )
                    )
                still_open[key] = idx
            open_spans = still_open
    spans.sort(key=lambda s: (s.start, -s.height))
    return TextResult(spans=tuple(spans))


def extract_text(
    scan: ScanResult, work_dir: str | Path, *, pool: OcrPool | None = None, options: OcrOptions | None = None
) -> TextResult:
    """On-screen text of every scene. Pass the pool that already got scenes during the scan, if any."""
    own = pool is None
    active = pool if pool is not None else OcrPool(Path(work_dir), options)
    try:
        for scene in scan.scenes:
            active.submit_scene(scene)
        return merge_lines((scene, [active.lines(s.path) for s in scene.samples]) for scene in scan.scenes)
    finally:
        if own:
            active.close()
