"""Benchmark of the analysis pipeline on a 10-minute 720p H.264 video, against its anchors.

    python bench/analysis.py [--work DIR] [--repeat 10] [--rounds 3] [--no-speech]

Makes the briefing video (tests/media/briefing.spec, 1280x720, 60 s), joins `--repeat`
copies with `ffmpeg -f concat -c copy`, then measures in one run:

- all stages but speech (probe, scan, text, index, chapters) against `ffmpeg -i FILE -f null -`,
  taking turns `--rounds` times (medians reported: the machine may be shared);
- shot detection alone against PySceneDetect's AdaptiveDetector, with the cut F1 of both
  (tolerance 0.5 s) against the ground truth;
- speech recognition's real-time factor and WER on the whole file;
- peak memory of this process and of its child processes (tesseract).

Needs ffmpeg, espeak-ng, tesseract, and for the comparison `pip install scenedetect
opencv-python-headless` (not a dependency of the product).
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from visionscope.analysis import (
    AnalysisOptions,
    check_models,
    load_embedder,
    probe_media,
    run_pipeline,
    transcribe,
)
from visionscope.analysis.scan import detect_shots

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.media import generate  # noqa: E402 (the repository's own test-video generator)

TOLERANCE = 0.5


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def wer(ref: str, hyp: str) -> float:
    r, h = words(ref), words(hyp)
    d = list(range(len(h) + 1))
    for i in range(1, len(r) + 1):
        prev, d[0] = d[0], i
        for j in range(1, len(h) + 1):
            cur = min(d[j] + 1, d[j - 1] + 1, prev + (r[i - 1] != h[j - 1]))
            prev, d[j] = d[j], cur
    return d[len(h)] / max(1, len(r))


def f1(found: list[float], truth: list[float]) -> float:
    hits = sum(any(abs(c - t) <= TOLERANCE for c in found) for t in truth)
    precision, recall = hits / max(1, len(found)), hits / max(1, len(truth))
    return 2 * precision * recall / max(1e-9, precision + recall)


def make_long_video(work: Path, repeat: int) -> tuple[Path, dict[str, Any]]:
    """The briefing video `repeat` times over, with the ground truth of the whole."""
    one = work / "briefing.mp4"
    if not one.exists():
        generate.make_video(ROOT / "tests" / "media" / "briefing.spec", work, "briefing")
    truth = json.loads((work / "briefing.json").read_text())
    long = work / f"briefing_x{repeat}.mp4"
    if not long.exists():
        listing = work / "concat.txt"
        listing.write_text("".join(f"file '{one.name}'\n" for _ in range(repeat)))
        subprocess.run(
            [
                "ffmpeg",
                "-v",
                "error",
                "-y",
                "-f",
                "concat",
                "-safe",
                "0",
                "-i",
                str(listing),
                "-c",
                "copy",
                str(long),
            ],
            check=True,
        )
    d = float(truth["duration"])
    cuts = [k * d + c for k in range(repeat) for c in [0.0, *truth["cuts"]] if k * d + c > 0]
    speech = " ".join(s["text"] for _ in range(repeat) for s in truth["speech"])
    texts = [w for s in truth["scenes"] for line in s["text"] for w in words(line)]
    return long, {"cuts": cuts, "speech": speech, "words": texts, "duration": d * repeat}


def timed(fn: Any) -> tuple[float, float, Any]:
    """Wall seconds, CPU seconds (this process and its children) and the result of `fn()`."""

    def cpu() -> float:
        own = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime

    start, start_cpu = time.perf_counter(), cpu()
    result = fn()
    return time.perf_counter() - start, cpu() - start_cpu, result


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ffmpeg_decode(video: Path) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(video), "-f", "null", "-"], check=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", type=Path, default=Path("/tmp/visionscope-bench"))
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--no-speech", action="store_true")
    ap.add_argument("--rounds", type=int, default=3, help="turns of ffmpeg and the pipeline")
    a = ap.parse_args()
    a.work.mkdir(parents=True, exist_ok=True)
    video, truth = make_long_video(a.work, a.repeat)
    models = check_models(a.work / "models")
    info = probe_media(video)
    size = f"{info.width}x{info.height}"
    print(f"video: {video.name} {size} {info.fps} fps {info.duration:.1f} s {info.video_codec}")

    # ffmpeg and the pipeline take turns, so that load from elsewhere on the machine weighs on both.
    out = a.work / "pipeline"
    options = AnalysisOptions(models=models, speech=False)
    pairs = []
    for _ in range(a.rounds):
        ff = timed(lambda: ffmpeg_decode(video))
        shutil.rmtree(out, ignore_errors=True)
        load_embedder.cache_clear()  # each run loads its models as a fresh worker would
        ours = timed(lambda: run_pipeline(video, out, options=options))
        pairs.append((ff, ours))
        result = ours[2]
        stages = ", ".join(f"{k} {v.seconds:.2f}" for k, v in result.stages.items() if v.status == "done")
        print(
            f"ffmpeg -i FILE -f null -: {ff[0]:.2f} s wall, {ff[1]:.2f} s CPU | all stages but speech: "
            f"{ours[0]:.2f} s wall, {ours[1]:.2f} s CPU ({stages}) | ratio {ours[0] / ff[0]:.2f}x"
        )
    decode = statistics.median(ff[0] for ff, _ in pairs)
    decode_cpu = statistics.median(ff[1] for ff, _ in pairs)
    wall = statistics.median(o[0] for _, o in pairs)
    wall_cpu = statistics.median(o[1] for _, o in pairs)
    print(
        f"median of {a.rounds}: ffmpeg {decode:.2f} s wall, {decode_cpu:.2f} s CPU; pipeline without speech "
        f"{wall:.2f} s wall, {wall_cpu:.2f} s CPU"
    )
    print(
        f"  ratio to ffmpeg decode: {wall / decode:.2f}x wall (aim <= 1.3x), {wall_cpu / decode_cpu:.2f}x CPU"
    )
    print(f"  peak memory so far (pipeline without speech): {peak_mib():.0f} MiB in this process")
    text_got = set(words(" ".join(s.text for s in result.text.spans))) if result.text else set()
    recall = sum(w in text_got for w in truth["words"]) / len(truth["words"])
    found = result.scan.cuts
    print(
        f"  cuts F1 {f1(found, truth['cuts']):.3f} ({len(found)} found, {len(truth['cuts'])} true); "
        f"on-screen text word recall {recall:.3f}"
    )

    ours_t, ours_cpu, ours = timed(lambda: detect_shots(video))
    print(
        f"shots alone (ours): {ours_t:.2f} s wall, {ours_cpu:.2f} s CPU, F1 {f1(ours, truth['cuts']):.3f} "
        f"({len(ours)} cuts)"
    )
    full_t, full_cpu, full = timed(lambda: detect_shots(video, skip_nonref_frames=False))
    print(
        f"shots alone (ours, every frame decoded): {full_t:.2f} s wall, {full_cpu:.2f} s CPU, "
        f"F1 {f1(full, truth['cuts']):.3f} ({len(full)} cuts)"
    )
    try:
        from scenedetect import AdaptiveDetector, detect

        theirs_t, theirs_cpu, scenes = timed(lambda: detect(str(video), AdaptiveDetector()))
        theirs = [s[0].seconds for s in scenes[1:]]
        print(
            f"PySceneDetect AdaptiveDetector: {theirs_t:.2f} s wall, {theirs_cpu:.2f} s CPU, "
            f"F1 {f1(theirs, truth['cuts']):.3f} ({len(theirs)} cuts)"
        )
        print(
            f"  ratio ours / PySceneDetect: {ours_t / theirs_t:.2f}x wall (aim < 1); every frame decoded: "
            f"{full_t / theirs_t:.2f}x"
        )
    except ImportError:
        print("PySceneDetect not installed: pip install scenedetect opencv-python-headless")

    if not a.no_speech:
        speech_t, _, transcript = timed(lambda: transcribe(video, info, model_dir=models.whisper_dir))
        print(
            f"speech: {speech_t:.2f} s for {info.duration:.0f} s of audio: real-time factor "
            f"{speech_t / info.duration:.3f} ({info.duration / speech_t:.1f}x real time), "
            f"WER {wer(truth['speech'], transcript.text):.3f}"
        )

    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"peak memory: this process {peak_mib():.0f} MiB (with PySceneDetect/OpenCV and whisper loaded), "
        f"largest child process (ffmpeg or tesseract) {children:.0f} MiB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
