"""The analysis of one video, stage by stage, resumable.

Stages: probe, scan (shots, keyframes, thumbnails, sprite, visual stats in one decode pass),
text, speech, index, chapters. Each writes `work_dir/<stage>.json` atomically when it ends
and is skipped on a later run when that file is there and nothing it depends on was redone,
so a worker that dies mid-video leaves work another worker finishes without repeating it.
When both scan and text run, recognition of each scene's text starts as soon as the scan
has written the scene's keyframe, on the other core, while decoding goes on.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import scan_checkpoint
from .atomic import write_text_atomic
from .chapters import ChapterOptions, chapters_and_summary
from .embed import Embedder, load_embedder
from .errors import ModelMissing
from .index import VideoIndex, build_documents
from .model_files import ModelPaths
from .probe import MediaInfo, probe_media
from .results import ChaptersResult, ScanResult, TextResult, Transcript
from .scan import ScanOptions, scan_video
from .speech import SpeechOptions, screen_vocabulary, transcribe
from .sprite import write_sprite_vtt
from .text import OcrOptions, OcrPool, extract_text

STAGES = ("probe", "scan", "text", "speech", "index", "chapters")
_DEPENDS = {
    "probe": (),
    "scan": ("probe",),
    "text": ("scan",),
    "speech": ("probe", "text"),  # the on-screen words help spell what is said
    "index": ("scan", "text", "speech"),
    "chapters": ("scan", "text", "speech"),
}
#: Called with (stage, fraction of that stage done 0..1, estimated seconds left for the whole video or None).
ProgressFn = Callable[[str, float, float | None], None]
FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class AnalysisOptions:
    """What to analyse and with which models. Turning a feature off records its stage as skipped."""

    models: ModelPaths = field(default_factory=lambda: ModelPaths(None, None, None))
    text: bool = True
    speech: bool = True
    index: bool = True
    scan: ScanOptions = field(default_factory=ScanOptions)
    ocr: OcrOptions = field(default_factory=OcrOptions)
    speech_options: SpeechOptions = field(default_factory=SpeechOptions)
    chapters: ChapterOptions = field(default_factory=ChapterOptions)


@dataclass(frozen=True, slots=True)
class StageRecord:
    status: str
    """`done` or `skipped`."""
    seconds: float
    reason: str | None = None
    reused: bool = False
    """True when this run found the stage already done and did not redo it."""


@dataclass(frozen=True, slots=True)
class AnalysisResult:
    info: MediaInfo
    scan: ScanResult
    text: TextResult | None
    transcript: Transcript | None
    index_dir: str | None
    """Relative to the work dir; load with `VideoIndex.load`."""
    chapters: ChaptersResult
    stages: dict[str, StageRecord]

    def to_dict(self) -> dict[str, Any]:
        return {
            "info": self.info.to_dict(),
            "scan": self.scan.to_dict(),
            "text": self.text.to_dict() if self.text else None,
            "transcript": self.transcript.to_dict() if self.transcript else None,
            "index_dir": self.index_dir,
            "chapters": self.chapters.to_dict(),
            "stages": {
                k: {"status": v.status, "seconds": v.seconds, "reason": v.reason, "reused": v.reused}
                for k, v in self.stages.items()
            },
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> AnalysisResult:
        return cls(
            info=MediaInfo.from_dict(d["info"]),
            scan=ScanResult.from_dict(d["scan"]),
            text=TextResult.from_dict(d["text"]) if d.get("text") else None,
            transcript=Transcript.from_dict(d["transcript"]) if d.get("transcript") else None,
            index_dir=d.get("index_dir"),
            chapters=ChaptersResult.from_dict(d["chapters"]),
            stages={k: StageRecord(**v) for k, v in d["stages"].items()},
        )


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON whole or not at all (see `write_text_atomic`)."""
    write_text_atomic(path, json.dumps(data, ensure_ascii=False))


class _Progress:
    """Turns per-stage fractions into calls with an estimate of the time left."""

    def __init__(self, fn: ProgressFn | None) -> None:
        self.fn = fn
        self.expected: dict[str, float] = {}
        self.stage = ""
        self.started = time.monotonic()
        self.speed = 1.0  # actual / expected seconds of the stages measured so far
        self.last = 0.0

    def plan(self, info: MediaInfo, options: AnalysisOptions) -> None:
        pixels = info.width * info.height / (1280 * 720)
        self.expected = {
            "probe": 0.1,
            "scan": 0.5 + info.frame_count_estimate * max(pixels, 0.1) / 700,
            "text": (0.3 + info.duration * 0.01) if options.text else 0.0,
            "speech": (1.0 + info.duration * 0.08) if options.speech and info.has_audio else 0.0,
            "index": 1.0 if options.index else 0.0,
            "chapters": 0.3,
        }

    def begin(self, stage: str) -> None:
        self.stage, self.started = stage, time.monotonic()
        self.report(0.0, force=True)

    def end(self, seconds: float) -> None:
        expected = self.expected.get(self.stage, 0.0)
        if expected > 0.5 and seconds > 0:
            self.speed = 0.5 * self.speed + 0.5 * seconds / expected
        self.report(1.0, force=True)

    def report(self, fraction: float, *, force: bool = False) -> None:
        now = time.monotonic()
        if self.fn is None or (not force and now - self.last < 0.2):
            return
        self.last = now
        elapsed = now - self.started
        here = self.expected.get(self.stage, 0.0) * self.speed
        left_here = elapsed / fraction * (1 - fraction) if fraction > 0.05 else max(here - elapsed, 0.0)
        later = STAGES[STAGES.index(self.stage) + 1 :] if self.stage in STAGES else ()
        eta = (
            left_here + sum(self.expected.get(s, 0.0) for s in later) * self.speed if self.expected else None
        )
        self.fn(self.stage, round(min(max(fraction, 0.0), 1.0), 4), None if eta is None else round(eta, 1))


def _read_stage(work: Path, stage: str) -> dict[str, Any] | None:
    path = work / f"{stage}.json"
    if not path.is_file():
        return None
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    return data if data.get("version") == FORMAT_VERSION else None


def _require_models(options: AnalysisOptions) -> None:
    """Fail before any work when an enabled feature has no model configured."""
    missing = []
    if options.speech and options.models.whisper_dir is None:
        missing.append("speech (whisper)")
    if options.index and options.models.embedder is None:
        missing.append("index (MiniLM)")
    if options.text and options.models.tesseract is None:
        missing.append("text (tesseract)")
    if missing:
        raise ModelMissing(
            f"No model is configured for {', '.join(missing)}",
            "Pass the paths check_models() returns, or turn those features off",
        )


def run_pipeline(
    video_path: str | Path,
    work_dir: str | Path,
    *,
    options: AnalysisOptions,
    on_progress: ProgressFn | None = None,
    subtitles_path: str | Path | None = None,
) -> AnalysisResult:
    """Analyse `video_path`, keeping every stage's output in `work_dir`; resume where a previous
    run stopped. Raises `MediaRejected` for a file that is not a usable video and `ModelMissing`
    when an enabled feature's model is absent. `on_progress` may raise to cancel the run."""
    video, work = Path(video_path), Path(work_dir)
    _require_models(options)
    ocr_options = options.ocr
    work.mkdir(parents=True, exist_ok=True)
    progress = _Progress(on_progress)
    redone: set[str] = set()
    records: dict[str, StageRecord] = {}
    outputs: dict[str, Any] = {}
    wanted = {"text": options.text, "speech": options.speech, "index": options.index}
    ocr_pool: OcrPool | None = None

    def embedder() -> Embedder:
        files = options.models.embedder
        assert files is not None  # checked by _require_models
        return load_embedder(str(files.onnx), str(files.tokenizer))

    def compute(stage: str) -> Any:
        if stage == "probe":
            return probe_media(video).to_dict()
        info: MediaInfo = outputs["probe"]
        if stage == "scan":
            hook = ocr_pool.submit_scene if ocr_pool is not None else None
            scanned = scan_video(
                video, info, work, options=options.scan, on_progress=progress.report, on_scene=hook
            )
            if scanned.sprite is not None:
                write_sprite_vtt(scanned.sprite, work / "sprite.vtt")
            return scanned.to_dict()
        if stage == "text":
            return extract_text(outputs["scan"], work, pool=ocr_pool, options=ocr_options).to_dict()
        if stage == "speech":
            speech_options = options.speech_options
            if speech_options.screen_words and not speech_options.vocabulary:
                words = screen_vocabulary(outputs.get("text"))
                speech_options = replace(speech_options, vocabulary=words)
            return transcribe(
                video,
                info,
                model_dir=options.models.whisper_dir,
                subtitles_path=subtitles_path,
                options=speech_options,
                on_progress=progress.report,
            ).to_dict()
        if stage == "index":
            docs = build_documents(outputs["scan"], outputs.get("text"), outputs.get("speech"))
            VideoIndex.build(docs, embedder()).save(work / "index")
            return {"path": "index", "documents": len(docs)}
        return chapters_and_summary(
            outputs["scan"],
            outputs.get("text"),
            outputs.get("speech"),
            embedder=embedder() if options.index else None,
            options=options.chapters,
        ).to_dict()

    def load(stage: str, result: Any) -> Any:
        parsers: dict[str, Callable[[Any], Any]] = {
            "probe": MediaInfo.from_dict,
            "scan": ScanResult.from_dict,
            "text": TextResult.from_dict,
            "speech": Transcript.from_dict,
            "index": lambda r: r,
            "chapters": ChaptersResult.from_dict,
        }
        return parsers[stage](result)

    try:
        for stage in STAGES:
            skip = not wanted.get(stage, True)
            saved = _read_stage(work, stage)
            depends = _DEPENDS[stage]
            if stage == "speech" and not options.speech_options.screen_words:
                depends = ("probe",)  # the on-screen words are not used
            fresh = skip or not any(dep in redone for dep in depends)
            if saved is not None and fresh and (saved["status"] == "skipped") == skip:
                records[stage] = StageRecord(
                    saved["status"], saved["seconds"], saved.get("reason"), reused=True
                )
                if not skip:
                    outputs[stage] = load(stage, saved["result"])
                if stage == "probe":
                    progress.plan(outputs["probe"], options)
                continue
            progress.begin(stage)
            started = time.monotonic()
            result: Any = None
            reason = "turned off for this analysis" if skip else None
            if not skip:
                if stage == "scan" and options.text:
                    ocr_pool = OcrPool(work, ocr_options)
                result = compute(stage)
                outputs[stage] = load(stage, result)
            seconds = round(time.monotonic() - started, 3)
            status = "skipped" if skip else "done"
            write_json_atomic(
                work / f"{stage}.json",
                {
                    "version": FORMAT_VERSION,
                    "stage": stage,
                    "status": status,
                    "reason": reason,
                    "seconds": seconds,
                    "result": result,
                },
            )
            if stage == "scan":  # its checkpoint is of no more use
                scan_checkpoint.remove(work / scan_checkpoint.FOLDER)
            records[stage] = StageRecord(status, seconds, reason)
            redone.add(stage)
            if stage == "probe":
                progress.plan(outputs["probe"], options)
            progress.end(seconds)
    finally:
        if ocr_pool is not None:
            ocr_pool.close()
    return AnalysisResult(
        info=outputs["probe"],
        scan=outputs["scan"],
        text=outputs.get("text"),
        transcript=outputs.get("speech"),
        index_dir="index" if "index" in outputs else None,
        chapters=outputs["chapters"],
        stages=records,
    )
