"""Benchmark of the analysis pipeline on a 10-minute 720p H.264 video, against its anchors.

    python bench/analysis.py [--work DIR] [--repeat 10] [--no-speech]

Makes the briefing video (../shared/media/briefing.spec, 1280x720, 60 s), joins `--repeat`
copies with `ffmpeg -f concat -c copy`, then measures in one run:

- all stages but speech (probe, scan, text, index, chapters) against `ffmpeg -i FILE -f null -`;
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

from visionscope.features.videos.analysis import (
    AnalysisOptions,
    check_models,
    probe_media,
    run_pipeline,
    transcribe,
)
from visionscope.features.videos.analysis.scan import detect_shots

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"
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
        script = SHARED / "media" / "make_test_video.sh"
        subprocess.run(
            ["bash", str(script), str(SHARED / "media" / "briefing.spec"), str(work), "briefing"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
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


def timed(fn: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", type=Path, default=Path("/tmp/visionscope-bench"))
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--no-speech", action="store_true")
    a = ap.parse_args()
    a.work.mkdir(parents=True, exist_ok=True)
    video, truth = make_long_video(a.work, a.repeat)
    models = check_models(a.work / "models")
    info = probe_media(video)
    print(
        f"video: {video.name} {info.width}x{info.height} {info.fps} fps {info.duration:.1f} s {info.video_codec}"
    )

    ffmpeg_times = [
        timed(
            lambda: subprocess.run(["ffmpeg", "-v", "error", "-i", str(video), "-f", "null", "-"], check=True)
        )[0]
        for _ in range(3)
    ]
    decode = statistics.median(ffmpeg_times)
    print(
        f"ffmpeg -i FILE -f null -: {decode:.2f} s (median of 3: {', '.join(f'{t:.2f}' for t in ffmpeg_times)})"
    )

    out = a.work / "pipeline"
    shutil.rmtree(out, ignore_errors=True)
    options = AnalysisOptions(models=models, speech=False)
    wall, result = timed(lambda: run_pipeline(video, out, options=options))
    stages = ", ".join(f"{k} {v.seconds:.2f}" for k, v in result.stages.items() if v.status == "done")
    text_got = set(words(" ".join(s.text for s in result.text.spans))) if result.text else set()
    recall = sum(w in text_got for w in truth["words"]) / len(truth["words"])
    print(f"all stages but speech: {wall:.2f} s ({stages})")
    print(f"  ratio to ffmpeg decode: {wall / decode:.2f}x (aim <= 1.3x)")
    print(
        f"  cuts F1 {f1(result.scan.cuts, truth['cuts']):.3f} ({len(result.scan.cuts)} found, "
        f"{len(truth['cuts'])} true); on-screen text word recall {recall:.3f}"
    )

    ours_t, ours = timed(lambda: detect_shots(video))
    print(f"shots alone (ours): {ours_t:.2f} s, F1 {f1(ours, truth['cuts']):.3f} ({len(ours)} cuts)")
    try:
        from scenedetect import AdaptiveDetector, detect

        theirs_t, scenes = timed(lambda: detect(str(video), AdaptiveDetector()))
        theirs = [s[0].seconds for s in scenes[1:]]
        print(
            f"PySceneDetect AdaptiveDetector: {theirs_t:.2f} s, F1 {f1(theirs, truth['cuts']):.3f} "
            f"({len(theirs)} cuts)"
        )
        print(f"  ratio ours / PySceneDetect: {ours_t / theirs_t:.2f}x (aim < 1)")
    except ImportError:
        print("PySceneDetect not installed: pip install scenedetect opencv-python-headless")

    if not a.no_speech:
        speech_t, transcript = timed(lambda: transcribe(video, info, model_dir=models.whisper_dir))
        print(
            f"speech: {speech_t:.2f} s for {info.duration:.0f} s of audio: real-time factor "
            f"{speech_t / info.duration:.3f} ({info.duration / speech_t:.1f}x real time), "
            f"WER {wer(truth['speech'], transcript.text):.3f}"
        )

    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory: this process {own:.0f} MiB, largest child process {children:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
