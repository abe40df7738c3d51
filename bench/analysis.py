"""Benchmark of the analysis pipeline on a 20-minute 720p H.264 video, against its anchors.

    python bench/analysis.py [--work DIR] [--repeat 20] [--rounds 2] [--no-speech] [--read-speech-only]

Makes the briefing video (tests/media/briefing.spec, 1280x720, 60 s) with the repository's
test-video generator, joins `--repeat` copies with `ffmpeg -f concat -c copy`, then measures in
one run:

- every stage but speech (probe, scan, text, index, chapters), each stage's time and its ratio to
  `ffmpeg -i FILE -f null -` of the same file, ffmpeg and the pipeline taking turns `--rounds`
  times (medians reported: the machine may be shared); cut F1 and on-screen text word recall;
- shot boundaries on real footage joined at known points (tests/media/footage_*.spec: cuts,
  dissolves, fades, wipes) and on the long video: ours against PySceneDetect's
  AdaptiveDetector, F1 (tolerance 0.5 s) and time side by side;
- speech on the briefing: real-time factor and word error rate (numbers compared as digits
  either way), with and without the on-screen words as hot words;
- speech on real read speech: the LibriVox passages of Debian's pocketsphinx-testdata (with
  their transcription), word error rate with numbers and titles ("Mr." and "mister") normalised
  either way, for the default settings and a few cheap variants (beam size, VAD, prompt);
- peak memory of this process and of its child processes (tesseract, ffmpeg).

Needs ffmpeg, espeak-ng, tesseract, Debian's opencv-doc and the dev extra (real footage), and for
the comparison the bench extra (`pip install -e '.[bench]'`: scenedetect, opencv).
"""

from __future__ import annotations

import argparse
import json
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
    SpeechOptions,
    check_models,
    load_embedder,
    probe_media,
    run_pipeline,
    scan_video,
    transcribe,
)
from visionscope.analysis.scan import detect_shots
from visionscope.analysis.speech import screen_vocabulary, transcribe_audio
from visionscope.analysis.text import extract_text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.media import generate  # noqa: E402 (the repository's own test-video generator)
from tests.media.measures import (  # noqa: E402
    cut_f1,
    normalised_wer,
    read_speech_words,
    wer,
    word_errors,
    words,
)

SPECS = ROOT / "tests" / "media"
FOOTAGE = ["footage_splice", "footage_wipes", "footage_slow"]
#: Debian's pocketsphinx-testdata: LibriVox passages (16 kHz WAV) and their transcription.
LIBRIVOX = Path("/usr/share/pocketsphinx/test/data/librivox")


def make_long_video(work: Path, repeat: int) -> tuple[Path, dict[str, Any]]:
    """The briefing video `repeat` times over, with the ground truth of the whole."""
    one = work / "briefing.mp4"
    if not one.exists():
        generate.make_video(SPECS / "briefing.spec", work, "briefing")
    truth = json.loads((work / "briefing.json").read_text())
    long = work / f"briefing_x{repeat}.mp4"
    if not long.exists():
        listing = work / "concat.txt"
        listing.write_text("".join(f"file '{one.name}'\n" for _ in range(repeat)))
        concat = ["ffmpeg", "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", str(listing)]
        subprocess.run([*concat, "-c", "copy", str(long)], check=True)
    d = float(truth["duration"])
    cuts = [k * d + c for k in range(repeat) for c in [0.0, *truth["cuts"]] if k * d + c > 0]
    texts = [w for s in truth["scenes"] for line in s["text"] for w in words(line)]
    return long, {"cuts": cuts, "words": texts, "duration": d * repeat, "one": one, "truth": truth}


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


def pyscenedetect(video: Path) -> list[float] | None:
    """Cut times by PySceneDetect's AdaptiveDetector, or None when it is not installed."""
    try:
        from scenedetect import AdaptiveDetector, detect
    except ImportError:
        return None
    return [float(s[0].seconds) for s in detect(str(video), AdaptiveDetector())[1:]]


def hits(found: list[float], truth: list[float], tolerance: float = 0.5) -> int:
    """True boundaries with a found one within `tolerance`, each found one used once."""
    used: set[int] = set()
    for t in truth:
        match = next((n for n, c in enumerate(found) if n not in used and abs(c - t) <= tolerance), None)
        if match is not None:
            used.add(match)
    return len(used)


def bench_pipeline(video: Path, truth: dict[str, Any], work: Path, models: Any, rounds: int) -> None:
    out = work / "pipeline"
    options = AnalysisOptions(models=models, speech=False)
    pairs = []
    for _ in range(rounds):  # ffmpeg and the pipeline take turns: load from elsewhere weighs on both
        ff = timed(lambda: ffmpeg_decode(video))
        shutil.rmtree(out, ignore_errors=True)
        load_embedder.cache_clear()  # each run loads its models as a fresh worker would
        ours = timed(lambda: run_pipeline(video, out, options=options))
        pairs.append((ff, ours))
        print(
            f"turn: ffmpeg -f null {ff[0]:.2f} s wall, {ff[1]:.2f} s CPU | all stages but speech "
            f"{ours[0]:.2f} s wall, {ours[1]:.2f} s CPU | ratio {ours[0] / ff[0]:.2f}x",
            flush=True,
        )
    decode = statistics.median(ff[0] for ff, _ in pairs)
    decode_cpu = statistics.median(ff[1] for ff, _ in pairs)
    wall = statistics.median(o[0] for _, o in pairs)
    wall_cpu = statistics.median(o[1] for _, o in pairs)
    print(f"median of {rounds}: ffmpeg decode {decode:.2f} s wall, {decode_cpu:.2f} s CPU")
    result = pairs[-1][1][2]
    for stage in ("probe", "scan", "text", "index", "chapters"):
        seconds = statistics.median(o[2].stages[stage].seconds for _, o in pairs)
        print(f"  stage {stage:8s} {seconds:7.2f} s  ratio to decode {seconds / decode:.2f}x")
    print(
        f"  all stages but speech {wall:.2f} s wall, {wall_cpu:.2f} s CPU: ratio to decode "
        f"{wall / decode:.2f}x wall (aim <= 1.3x), {wall_cpu / decode_cpu:.2f}x CPU"
    )
    got = set(words(" ".join(s.text for s in result.text.spans))) if result.text else set()
    recall = sum(w in got for w in truth["words"]) / len(truth["words"])
    print(
        f"  cut F1 {cut_f1(result.scan.cuts, truth['cuts']):.3f} ({len(result.scan.cuts)} found, "
        f"{len(truth['cuts'])} true); on-screen text word recall {recall:.3f}; "
        f"peak memory {peak_mib():.0f} MiB"
    )


def bench_shots(video: Path, truth: dict[str, Any], work: Path) -> None:
    """Ours against PySceneDetect on the spliced real footage and on the long video."""
    sets: list[tuple[str, Path, list[float]]] = []
    for name in FOOTAGE:
        made = work / f"{name}.mp4"
        if not made.exists():
            generate.make_video(SPECS / f"{name}.spec", work, name, width=640, height=360, fps=25)
        sets.append((name, made, json.loads(made.with_suffix(".json").read_text())["cuts"]))
    sets.append(("long video", video, truth["cuts"]))
    spliced = {"ours": [0.0, 0, 0, 0], "PySceneDetect": [0.0, 0, 0, 0]}  # seconds, hits, found, true
    for name, path, cuts in sets:
        ours_t, _, ours = timed(lambda p=path: [b.time for b in detect_shots(p)])
        theirs_t, _, theirs = timed(lambda p=path: pyscenedetect(p))
        line = f"shots {name}: ours F1 {cut_f1(ours, cuts):.3f} in {ours_t:.2f} s"
        if theirs is not None:
            line += f" | PySceneDetect F1 {cut_f1(theirs, cuts):.3f} in {theirs_t:.2f} s"
        print(line, flush=True)
        if name in FOOTAGE:
            for label, found, seconds in (("ours", ours, ours_t), ("PySceneDetect", theirs, theirs_t)):
                if found is None:
                    continue
                total = spliced[label]
                total[0] += seconds
                total[1] += hits(found, cuts)
                total[2] += len(found)
                total[3] += len(cuts)
    for label, (seconds, matched, found, true) in spliced.items():
        if true:
            p, r = matched / max(1, found), matched / true
            score = 2 * p * r / max(1e-9, p + r)
            print(
                f"  spliced real footage, {label}: F1 {score:.3f} ({matched} of {true} found, "
                f"{found} boundaries), {seconds:.2f} s"
            )


def bench_speech(one: Path, truth: dict[str, Any], work: Path, models: Any) -> None:
    info = probe_media(one)
    scan_dir = work / "speech-scan"
    shutil.rmtree(scan_dir, ignore_errors=True)
    vocabulary = screen_vocabulary(extract_text(scan_video(one, info, scan_dir), scan_dir))
    reference = " ".join(s["text"] for s in truth["speech"])
    for label, options in (
        ("without on-screen words", SpeechOptions(screen_words=False)),
        ("with on-screen words", SpeechOptions(vocabulary=vocabulary)),
    ):
        seconds, _, transcript = timed(
            lambda o=options: transcribe(one, info, model_dir=models.whisper_dir, options=o)
        )
        print(
            f"speech {label}: {seconds:.2f} s for {info.duration:.0f} s (real-time factor "
            f"{seconds / info.duration:.3f}), WER {wer(reference, transcript.text):.3f}, "
            f"numbers normalised {normalised_wer(reference, transcript.text):.3f}",
            flush=True,
        )


def read_passages(folder: Path) -> list[tuple[Path, str]]:
    """(recording, what is said) of each line `<s> words </s> (name)` of the folder's transcription."""
    passages = []
    for line in (folder / "transcription").read_text().splitlines():
        if "(" in line:
            said, name = line.rsplit("(", 1)
            text = said.replace("<s>", " ").replace("</s>", " ").strip()
            passages.append((folder / f"{name.strip(' )')}.wav", text))
    return passages


def bench_read_speech(folder: Path, models: Any) -> None:
    """Word error rate on real read speech, pooled over the passages, for a few settings."""
    passages = read_passages(folder)
    total = sum(len(read_speech_words(text)) for _, text in passages)
    variants = [
        ("default (beam 5, VAD, numbers prompt)", SpeechOptions()),
        ("beam 1", SpeechOptions(beam_size=1)),
        ("beam 10", SpeechOptions(beam_size=10)),
        ("VAD off", SpeechOptions(vad=False)),
        ("numbers prompt off", SpeechOptions(numbers_as_words=False)),
    ]
    for label, options in variants:
        errors = 0
        heard = []
        started = time.perf_counter()
        for wav, text in passages:
            got = transcribe_audio(wav, models.whisper_dir, duration=0.0, options=options).text
            errors += word_errors(read_speech_words(text), read_speech_words(got))
            heard.append(got)
        seconds = time.perf_counter() - started
        print(
            f"read speech ({len(passages)} LibriVox passages, {total} words), {label}: "
            f"WER {errors / max(1, total):.3f} ({errors} errors), {seconds:.2f} s",
            flush=True,
        )
        print("  heard: " + " | ".join(heard), flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", type=Path, default=Path("/tmp/visionscope-bench"))
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--no-speech", action="store_true")
    ap.add_argument("--read-speech-only", action="store_true", help="only the LibriVox passages")
    ap.add_argument("--rounds", type=int, default=2, help="turns of ffmpeg and the pipeline")
    a = ap.parse_args()
    a.work.mkdir(parents=True, exist_ok=True)
    models = check_models(a.work / "models")
    if a.read_speech_only:
        bench_read_speech(LIBRIVOX, models)
        return 0
    video, truth = make_long_video(a.work, a.repeat)
    info = probe_media(video)
    size = f"{info.width}x{info.height}"
    print(f"video: {video.name} {size} {info.fps} fps {info.duration:.1f} s {info.video_codec}")
    bench_pipeline(video, truth, a.work, models, a.rounds)
    bench_shots(video, truth, a.work)
    if not a.no_speech:
        bench_speech(truth["one"], truth["truth"], a.work, models)
        if LIBRIVOX.is_dir():
            bench_read_speech(LIBRIVOX, models)
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory: this process {peak_mib():.0f} MiB, largest child process {children:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
