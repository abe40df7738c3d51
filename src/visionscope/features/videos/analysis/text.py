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
import os
import re
import subprocess
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from statistics import median

from PIL import Image, ImageOps

from .errors import ModelMissing
from .results import ScanResult, Scene, TextResult, TextSpan

_WORD = re.compile(r"[A-Za-z0-9]")
_EDGE_JUNK = "\"'`“”‘’|!¡.,;:_~*^°«»()[]{}<>"


@dataclass(frozen=True, slots=True)
class OcrOptions:
    tesseract: str = "tesseract"
    language: str = "eng"
    psm: int = 11
    min_confidence: float = 50.0
    min_height: int = 720
    """Pictures lower than this are enlarged first (small text reads better bigger); 0 disables."""
    workers: int = 0
    """Parallel tesseract processes; 0 means one per CPU core."""


@dataclass(frozen=True, slots=True)
class OcrLine:
    text: str
    confidence: float
    height: float
    """Letter height as a fraction of the picture's height."""


def _prepare(path: Path, min_height: int) -> bytes:
    with Image.open(path) as img:
        grey = img.convert("L")
    if min_height and grey.height < min_height:
        scale = min(3.0, min_height / grey.height)
        grey = grey.resize((round(grey.width * scale), round(grey.height * scale)), Image.Resampling.LANCZOS)
    inverted = ImageOps.invert(grey)
    buf = io.BytesIO()
    inverted.save(buf, "PPM")  # PGM for a grey image: no compression to undo
    return buf.getvalue()


def clean_token(token: str) -> str:
    """A recognised word without surrounding punctuation; '' when it is noise."""
    token = token.strip().strip(_EDGE_JUNK)
    if not _WORD.search(token):
        return ""
    return token


def parse_tsv(tsv: str, image_height: int, min_confidence: float) -> list[OcrLine]:
    """Lines of tesseract's TSV output, keeping confident words that are not noise."""
    lines: dict[tuple[str, str, str], list[tuple[str, float, float]]] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        if row.get("level") != "5":
            continue
        try:
            conf = float(row["conf"])
            height = float(row["height"])
        except (TypeError, ValueError):
            continue
        word = clean_token(row.get("text") or "")
        if not word or conf < min_confidence:
            continue
        if len(word) == 1 and conf < 80:
            continue
        lines.setdefault((row["block_num"], row["par_num"], row["line_num"]), []).append((word, conf, height))
    out: list[OcrLine] = []
    for words in lines.values():
        if len(words) == 1 and len(words[0][0]) <= 2 and words[0][1] < 85:
            continue  # a lone scrap of one or two letters is nearly always noise
        out.append(
            OcrLine(
                text=" ".join(w for w, _, _ in words),
                confidence=round(sum(c for _, c, _ in words) / len(words), 1),
                height=round(median(h for _, _, h in words) / max(1, image_height), 4),
            )
        )
    return out


def ocr_image(path: str | Path, options: OcrOptions | None = None) -> list[OcrLine]:
    """Text lines of one picture file."""
    opts = options or OcrOptions()
    data = _prepare(Path(path), opts.min_height)
    height = int(data.split(b"\n", 3)[1].split()[1])
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    cmd = [opts.tesseract, "stdin", "stdout", "-l", opts.language, "--psm", str(opts.psm), "tsv"]
    try:
        proc = subprocess.run(cmd, input=data, capture_output=True, env=env, check=False)  # noqa: S603
    except FileNotFoundError as exc:
        raise ModelMissing("tesseract is not installed", "Install the Debian package tesseract-ocr.") from exc
    if proc.returncode != 0:
        message = proc.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
        raise ModelMissing(f"tesseract failed: {message[0]}", "Check the tesseract-ocr installation.")
    return parse_tsv(proc.stdout.decode("utf-8", errors="replace"), height, opts.min_confidence)


def _key(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def _coverage(scene: Scene) -> list[tuple[float, float]]:
    """The time each keyframe of a scene stands for."""
    times = [k.time for k in scene.samples]
    bounds = [scene.start] + [(a + b) / 2 for a, b in zip(times, times[1:], strict=False)] + [scene.end]
    return list(zip(bounds, bounds[1:], strict=False))


class OcrPool:
    """Runs tesseract on keyframes in parallel, possibly while the decode pass is still running."""

    def __init__(self, work_dir: Path, options: OcrOptions | None = None) -> None:
        self.work_dir = work_dir
        self.options = options or OcrOptions()
        workers = self.options.workers or os.cpu_count() or 2
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="vs-ocr")
        self._jobs: dict[str, Future[list[OcrLine]]] = {}

    def submit_scene(self, scene: Scene) -> None:
        """Queue the scene's keyframes (safe to call from any thread)."""
        for sample in scene.samples:
            if sample.path not in self._jobs:
                self._jobs[sample.path] = self._pool.submit(ocr_image, self.work_dir / sample.path, self.options)

    def lines(self, path: str) -> list[OcrLine]:
        return self._jobs[path].result()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> OcrPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


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
                if idx is not None and abs(spans[idx].end - start) < 1e-6:
                    old = spans[idx]
                    spans[idx] = TextSpan(
                        start=old.start, end=round(end, 3), text=old.text, scene=old.scene,
                        confidence=max(old.confidence, line.confidence), height=max(old.height, line.height),
                    )
                else:
                    idx = len(spans)
                    spans.append(
                        TextSpan(
                            start=round(start, 3), end=round(end, 3), text=line.text, scene=scene.index,
                            confidence=line.confidence, height=line.height,
                        )
                    )
                still_open[key] = idx
            open_spans = still_open
    spans.sort(key=lambda s: (s.start, -s.height))
    return TextResult(spans=tuple(spans))


def extract_text(scan: ScanResult, work_dir: str | Path, *, pool: OcrPool | None = None,
                 options: OcrOptions | None = None) -> TextResult:
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
