"""On-screen text: tesseract 5 on the scenes' keyframes, merged into timed lines.

`ocr.py` reads each keyframe; here the keyframes are read on worker threads (each with its
own tesseract process) while the scan goes on, and lines that appear in consecutive keyframes
or scenes are merged into one span.
"""

from __future__ import annotations

import itertools
import os
import queue
import threading
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from PIL import Image

from .misreads import line_key, without_misreads
from .ocr import OcrLine, OcrOptions, read_picture, read_well, shows_new_words
from .results import ScanResult, Scene, TextResult, TextSpan
from .tesseract import TesseractEngine

__all__ = ["OcrOptions", "OcrPool", "extract_text", "merge_lines"]


def _coverage(scene: Scene) -> list[tuple[float, float]]:
    """The time each keyframe of a scene stands for."""
    times = [k.time for k in scene.samples]
    bounds = [scene.start] + [(a + b) / 2 for a, b in itertools.pairwise(times)] + [scene.end]
    return list(itertools.pairwise(bounds))


class OcrPool:
    """Reads scenes' keyframes on worker threads, possibly while the decode pass still runs.

    Each worker thread has a tesseract process of its own, started on its first picture and
    kept until the pool closes."""

    def __init__(self, work_dir: Path, options: OcrOptions | None = None) -> None:
        self.work_dir = work_dir
        self.options = options or OcrOptions()
        workers = self.options.workers or os.cpu_count() or 2
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="vs-ocr")
        self._lock = threading.Lock()
        self._engines: queue.SimpleQueue[TesseractEngine] = queue.SimpleQueue()
        self._started: list[TesseractEngine] = []
        self._jobs: dict[str, tuple[Future[list[list[OcrLine]]], int]] = {}

    def submit_scene(self, scene: Scene) -> None:
        """Queue the scene's keyframes (safe to call from any thread)."""
        with self._lock:
            paths = [s.path for s in scene.samples if s.path not in self._jobs]
            if paths:
                job = self._pool.submit(self._read, paths, scene.keyframe)
                for n, path in enumerate(paths):
                    self._jobs[path] = (job, n)

    def _engine(self) -> TesseractEngine:
        try:
            return self._engines.get_nowait()
        except queue.Empty:
            engine = TesseractEngine(self.options.language)
            with self._lock:
                self._started.append(engine)
            return engine

    def _read(self, paths: list[str], main: str) -> list[list[OcrLine]]:
        """The lines of a scene's keyframes, its main keyframe first. When that one reads well,
        the others get a quick look, and one that shows no new word reads as the main one."""
        engine = self._engine()
        opts = self.options
        try:
            read: dict[str, list[OcrLine]] = {}
            for path in sorted(paths, key=lambda p: p != main):
                with Image.open(self.work_dir / path) as picture:
                    known = read.get(main)
                    if (
                        known is not None
                        and read_well(known, opts)
                        and not shows_new_words(engine, picture, known, opts)
                    ):
                        read[path] = known
                    else:
                        read[path] = read_picture(engine, picture, opts)
            return [read[path] for path in paths]
        finally:
            self._engines.put(engine)

    def lines(self, path: str) -> list[OcrLine]:
        job, n = self._jobs[path]
        return job.result()[n]

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        for engine in self._started:
            engine.close()

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


def _without_scene_misreads(per_sample: list[list[OcrLine]]) -> list[list[OcrLine]]:
    """Each keyframe's lines without those that are pieces of a better reading in the scene."""
    kept = set(without_misreads([line for lines in per_sample for line in lines], near_misses=False))
    return [[line for line in lines if line in kept] for lines in per_sample]


def merge_lines(scenes: Iterable[tuple[Scene, list[list[OcrLine]]]]) -> TextResult:
    """Timed spans from each scene's keyframes' lines; the same line in adjacent times is one span.

    Lines that only repeat pieces of lines read better in other keyframes of the scene are
    dropped first."""
    spans: list[TextSpan] = []
    open_spans: dict[str, int] = {}
    for scene, per_sample in scenes:
        clean = _without_scene_misreads(per_sample)
        for (start, end), lines in zip(_coverage(scene), clean, strict=True):
            still_open: dict[str, int] = {}
            for line in lines:
                key = line_key(line.text)
                if not key or key in still_open:
                    continue
                idx = open_spans.get(key)
                if idx is None:  # the same line read a little differently (a word more or less)
                    idx = _similar_open(key, open_spans)
                if idx is not None and abs(spans[idx].end - start) < 1e-6:
                    old = spans[idx]
                    longer = line.text if len(key.split()) > len(line_key(old.text).split()) else old.text
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
