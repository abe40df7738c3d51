"""On-screen text: the product's tesseract reader against rapidocr-onnxruntime, on the same keyframes.

    python bench/ocr.py [--work DIR] [--size 1280x720] [--rapidocr-threads 1] [--no-cls]

Makes the videos of tests/media/text_hard.spec and tests/media/briefing.spec with the repository's
test-video generator, runs the product's scan on each (the keyframes it picks, saved as the JPEG
files the pipeline reads: a scene's middle frame, and frames near its start and end where part of
the picture changed, such as text that appears mid-scene), and reads every keyframe with

- tesseract: `read_picture`, the function the pipeline calls on each keyframe, with the default
  `OcrOptions` and one loaded tesseract process (`TesseractEngine`, as each OCR worker has);
- rapidocr-onnxruntime: `RapidOCR()` with the detection, orientation and recognition models of its
  wheel, `--rapidocr-threads` onnxruntime threads (1 by default: the product reads keyframes on
  one worker per core, each single-threaded; 0 lets onnxruntime choose), and its default score
  threshold (0.5); `--no-cls` skips the orientation classifier.

Reported per video and reader: word recall against the spec's text lines (`word_recall` of
tests/media/measures.py: every word of every scene's lines, found among the words read anywhere in
the video), the distinct words read that are not on screen (stray words), and CPU and wall seconds
per keyframe (CPU: this process, plus the tesseract child process read from /proc; each reader's
start-up and one untimed warm-up read are left out and its start-up is reported apart). Scenes
whose recall differs between the readers are listed, and the recall of both readers' words
together ("both").

Needs ffmpeg, espeak-ng, tesseract and `pip install rapidocr-onnxruntime` (in the bench extra;
its models ship inside the wheel). Reads vtest.avi from Debian's opencv-doc for text_hard.spec.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from visionscope.analysis import probe_media, scan_video
from visionscope.analysis.ocr import OcrOptions, read_picture
from visionscope.analysis.tesseract import TesseractEngine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.media import generate  # noqa: E402 (the repository's own test-video generator)
from tests.media.measures import word_recall, words  # noqa: E402

SPECS = ROOT / "tests" / "media"
VIDEOS = ["text_hard", "briefing"]
_TICK = os.sysconf("SC_CLK_TCK")

Reader = Callable[[Image.Image], str]


def child_cpu(pid: int | None) -> float:
    """CPU seconds (user and system) a running child process has used so far."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime (fields 14, 15)


@dataclass
class Run:
    name: str
    startup_wall: float = 0.0
    startup_cpu: float = 0.0
    wall: float = 0.0
    cpu: float = 0.0
    texts: dict[str, str] = field(default_factory=dict)


def measure(
    name: str,
    start: Callable[[], tuple[Reader, int | None, Callable[[], None]]],
    pictures: dict[str, Image.Image],
) -> Run:
    run = Run(name)
    t0, c0 = time.perf_counter(), time.process_time()
    read, pid, close = start()
    run.startup_wall, run.startup_cpu = time.perf_counter() - t0, time.process_time() - c0 + child_cpu(pid)
    try:
        read(next(iter(pictures.values())))  # warm-up, untimed
        for path, picture in pictures.items():
            t0, c0, k0 = time.perf_counter(), time.process_time(), child_cpu(pid)
            run.texts[path] = read(picture)
            run.wall += time.perf_counter() - t0
            run.cpu += time.process_time() - c0 + child_cpu(pid) - k0
    finally:
        close()
    return run


def tesseract_reader() -> tuple[Reader, int | None, Callable[[], None]]:
    engine = TesseractEngine()
    options = OcrOptions()

    def read(picture: Image.Image) -> str:
        return "\n".join(line.text for line in read_picture(engine, picture, options))

    return read, engine._proc.pid, engine.close


def rapidocr_reader(
    threads: int, use_cls: bool
) -> Callable[[], tuple[Reader, int | None, Callable[[], None]]]:
    def start() -> tuple[Reader, int | None, Callable[[], None]]:
        from rapidocr_onnxruntime import RapidOCR  # type: ignore[import-untyped, import-not-found, unused-ignore]

        engine = RapidOCR(intra_op_num_threads=threads or -1, inter_op_num_threads=threads or -1)

        def read(picture: Image.Image) -> str:
            result, _ = engine(picture, use_cls=use_cls)
            return "\n".join(str(text) for _, text, _ in result or [])

        return read, None, lambda: None

    return start


def scene_of(truth: dict[str, Any], t: float) -> int:
    for scene in truth["scenes"]:
        if scene["start"] <= t < scene["end"]:
            return int(scene["index"])
    return int(truth["scenes"][-1]["index"])


def bench_video(name: str, work: Path, width: int, height: int, args: argparse.Namespace) -> dict[str, Any]:
    video = work / f"{name}.mp4"
    if not video.exists():
        generate.make_video(SPECS / f"{name}.spec", work, name, width=width, height=height)
    truth = json.loads(video.with_suffix(".json").read_text())
    scan_dir = work / f"{name}-scan"
    shutil.rmtree(scan_dir, ignore_errors=True)
    scan = scan_video(video, probe_media(video), scan_dir)
    samples = [(s.path, s.time) for scene in scan.scenes for s in scene.samples]
    pictures: dict[str, Image.Image] = {}
    for path, _ in samples:
        with Image.open(scan_dir / path) as picture:
            picture.load()
            pictures[path] = picture.copy()
    runs = [
        measure("tesseract", tesseract_reader, pictures),
        measure("rapidocr", rapidocr_reader(args.rapidocr_threads, not args.no_cls), pictures),
    ]
    lines = [line for scene in truth["scenes"] for line in scene["text"]]
    on_screen = {w for line in lines for w in words(line)}
    n = len(pictures)
    print(
        f"{name} ({truth['width']}x{truth['height']}): {len(truth['scenes'])} scenes, "
        f"{len(scan.scenes)} found, {n} keyframes"
    )
    report: dict[str, Any] = {"keyframes": n, "readers": {}}
    for run in runs:
        read = " ".join(run.texts.values())
        stray = sorted(set(words(read)) - on_screen)
        figures = {
            "recall": round(word_recall(lines, read), 3),
            "stray": stray,
            "cpu_per_frame": round(run.cpu / n, 3),
            "wall_per_frame": round(run.wall / n, 3),
            "startup_cpu": round(run.startup_cpu, 2),
            "startup_wall": round(run.startup_wall, 2),
        }
        report["readers"][run.name] = figures
        print(
            f"  {run.name:<9} recall {figures['recall']:.3f}, {len(stray)} stray words {stray}, "
            f"CPU {figures['cpu_per_frame']:.3f} s/frame, wall {figures['wall_per_frame']:.3f} s/frame "
            f"(start-up CPU {figures['startup_cpu']:.2f} s, wall {figures['startup_wall']:.2f} s)"
        )
    both = " ".join(" ".join(run.texts.values()) for run in runs)
    report["both_recall"] = round(word_recall(lines, both), 3)
    print(f"  both      recall {report['both_recall']:.3f}")
    for scene in truth["scenes"]:
        paths = [p for p, t in samples if scene_of(truth, t) == scene["index"]]
        recalls = [word_recall(scene["text"], " ".join(run.texts[p] for p in paths)) for run in runs]
        if scene["text"] and len(set(recalls)) > 1:
            read_by = "; ".join(
                f"{run.name} {r:.2f}: " + " | ".join(run.texts[p].replace("\n", " / ") for p in paths)
                for run, r in zip(runs, recalls, strict=True)
            )
            print(f"    scene {scene['index']} ({scene['source']}), {' / '.join(scene['text'])}: {read_by}")
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--work", type=Path, help="folder for the videos and keyframes (default: a temporary one)"
    )
    ap.add_argument("--size", default="1280x720", help="WIDTHxHEIGHT of the generated videos")
    ap.add_argument("--rapidocr-threads", type=int, default=1, help="onnxruntime threads; 0: its default")
    ap.add_argument("--no-cls", action="store_true", help="rapidocr without its orientation classifier")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args(argv)
    width, height = (int(x) for x in args.size.lower().split("x"))
    with tempfile.TemporaryDirectory() as tmp:
        work = (args.work or Path(tmp)) / f"{width}x{height}"
        work.mkdir(parents=True, exist_ok=True)
        report = {name: bench_video(name, work, width, height, args) for name in VIDEOS}
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
