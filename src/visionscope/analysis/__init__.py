"""CPU video analysis: probe, shots, keyframes, visual stats, on-screen text, speech, index, chapters.

A pure library (no database, web or queue): the product calls `check_models` at start-up and
`run_pipeline` for each video; everything else is here for tests, tools and the answer engine.
"""

from .chapters import ChapterOptions, chapters_and_summary
from .embed import Embedder, load_embedder
from .errors import AnalysisError, MediaRejected, ModelMissing
from .index import Document, Hit, VideoIndex, build_documents
from .model_files import ModelPaths, check_models, embedder_files, whisper_model_dir
from .pipeline import STAGES, AnalysisOptions, AnalysisResult, ProgressFn, StageRecord, run_pipeline
from .probe import MediaInfo, probe_media
from .results import (
    Chapter,
    ChaptersResult,
    Keyframe,
    ScanResult,
    Scene,
    Segment,
    Sprite,
    Summary,
    SummarySentence,
    TextResult,
    TextSpan,
    Transcript,
    Word,
)
from .scan import ScanOptions, scan_video
from .speech import SpeechOptions, transcribe
from .subtitles import parse_srt, parse_subtitle_file, parse_vtt, read_subtitle_stream, render_srt, render_vtt
from .text import OcrOptions, extract_text
from .visual import ColorShare

__all__ = [
    "STAGES",
    "AnalysisError",
    "AnalysisOptions",
    "AnalysisResult",
    "Chapter",
    "ChapterOptions",
    "ChaptersResult",
    "ColorShare",
    "Document",
    "Embedder",
    "Hit",
    "Keyframe",
    "MediaInfo",
    "MediaRejected",
    "ModelMissing",
    "ModelPaths",
    "OcrOptions",
    "ProgressFn",
    "ScanOptions",
    "ScanResult",
    "Scene",
    "Segment",
    "SpeechOptions",
    "Sprite",
    "StageRecord",
    "Summary",
    "SummarySentence",
    "TextResult",
    "TextSpan",
    "Transcript",
    "VideoIndex",
    "Word",
    "build_documents",
    "chapters_and_summary",
    "check_models",
    "embedder_files",
    "extract_text",
    "load_embedder",
    "parse_srt",
    "parse_subtitle_file",
    "parse_vtt",
    "probe_media",
    "read_subtitle_stream",
    "render_srt",
    "render_vtt",
    "run_pipeline",
    "scan_video",
    "transcribe",
    "whisper_model_dir",
]
