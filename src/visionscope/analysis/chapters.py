"""Chapters (scenes grouped under a title) and an extractive summary with times."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .embed import Embedder
from .results import (
    Chapter,
    ChaptersResult,
    ScanResult,
    Scene,
    Summary,
    SummarySentence,
    TextResult,
    TextSpan,
    Transcript,
)

_WORDS = re.compile(r"\S+")


@dataclass(frozen=True, slots=True)
class ChapterOptions:
    min_seconds: float = 5.0
    """A chapter is at least this long (shorter scenes join the chapter before them)."""
    max_summary_sentences: int = 8
    title_words: int = 8


def _key(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def _title_of(spans: list[TextSpan]) -> str | None:
    """The most prominent confident line: the biggest letters, the earliest on ties."""
    good = [s for s in spans if s.confidence >= 70 and len(_key(s.text)) >= 3]
    if not good:
        return None
    return max(good, key=lambda s: (round(s.height, 3), -s.start)).text


def _short(text: str, words: int) -> str:
    parts = _WORDS.findall(text)
    return " ".join(parts[:words]).rstrip(",;:") + ("..." if len(parts) > words else "")


def _fmt(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    return f"{m}:{s:02d}"


def _scene_texts(scene: Scene, spans: list[TextSpan], transcript: Transcript | None) -> str:
    said = [
        seg.text
        for seg in (transcript.segments if transcript else ())
        if seg.start < scene.end and seg.end > scene.start
    ]
    return " ".join([s.text for s in spans] + said)


def make_chapters(
    scan: ScanResult,
    text: TextResult | None,
    transcript: Transcript | None,
    *,
    embedder: Embedder | None = None,
    options: ChapterOptions | None = None,
) -> tuple[Chapter, ...]:
    """Group consecutive scenes into chapters.

    A scene opens a new chapter when the chapter so far is at least `min_seconds` long and the
    scene brings a new title on screen, or (with an embedder) speech and text unlike the chapter's.
    Scenes with nothing said or shown stay in the chapter before them.
    """
    opts = options or ChapterOptions()
    spans_by_scene: dict[int, list[TextSpan]] = {}
    for span in text.spans if text else ():
        spans_by_scene.setdefault(span.scene, []).append(span)
    contents = [_scene_texts(s, spans_by_scene.get(s.index, []), transcript) for s in scan.scenes]
    vectors = embedder.embed(contents) if embedder is not None and any(contents) else None
    groups: list[list[Scene]] = []
    titles: list[str | None] = []
    for i, scene in enumerate(scan.scenes):
        title = _title_of(spans_by_scene.get(scene.index, []))
        if groups:
            current = groups[-1]
            long_enough = scene.start - current[0].start >= opts.min_seconds
            new_title = title is not None and _key(title) != _key(titles[-1] or "")
            unlike = False
            if vectors is not None and contents[i] and title is None:
                first = current[0].index
                centre = vectors[first:i].mean(axis=0)
                unlike = float(vectors[i] @ centre / max(float(np.linalg.norm(centre)), 1e-9)) < 0.35
            if not (long_enough and (new_title or unlike)):
                current.append(scene)
                if titles[-1] is None:
                    titles[-1] = title
                continue
        groups.append([scene])
        titles.append(title)
    chapters = []
    for n, (group, title) in enumerate(zip(groups, titles, strict=True)):
        start, end = group[0].start, group[-1].end
        if title is None:
            said = [
                seg.text for seg in (transcript.segments if transcript else ()) if start <= seg.start < end
            ]
            title = _short(said[0], opts.title_words) if said else f"Part from {_fmt(start)}"
        chapters.append(Chapter(n, start, end, title, tuple(s.index for s in group)))
    return tuple(chapters)


def summarize(
    chapters: tuple[Chapter, ...],
    text: TextResult | None,
    transcript: Transcript | None,
    *,
    embedder: Embedder | None = None,
    options: ChapterOptions | None = None,
) -> Summary:
    """An extractive summary: the most central sentence of each chapter (speech first, on-screen
    text when nothing is said), the best chapters if there are too many, in time order."""
    opts = options or ChapterOptions()
    candidates: list[SummarySentence] = [
        SummarySentence(s.start, s.end, s.text, "transcript")
        for s in (transcript.segments if transcript else ())
    ]
    said_in = {c.index for c in chapters for s in candidates if c.start <= s.start < c.end}
    for span in text.spans if text else ():
        chapter = next((c for c in chapters if c.start <= span.start < c.end), None)
        if chapter is not None and chapter.index not in said_in and span.confidence >= 70:
            candidates.append(SummarySentence(span.start, span.end, span.text, "text"))
    if not candidates:
        return Summary(text="", sentences=())
    if embedder is not None:
        vecs = embedder.embed([c.text for c in candidates])
        centre = vecs.mean(axis=0)
        scores = (vecs @ centre).tolist()
    else:
        scores = [float(len(_WORDS.findall(c.text))) for c in candidates]
    best: dict[int, tuple[float, SummarySentence]] = {}
    for cand, score in zip(candidates, scores, strict=True):
        number = next((c.index for c in chapters if c.start <= cand.start < c.end), -1)
        if number not in best or score > best[number][0]:
            best[number] = (score, cand)
    chosen = sorted(best.values(), key=lambda x: -x[0])[: opts.max_summary_sentences]
    sentences = tuple(sorted((c for _, c in chosen), key=lambda s: s.start))
    body = " ".join(s.text if s.text.endswith((".", "!", "?")) else s.text + "." for s in sentences)
    return Summary(text=body, sentences=sentences)


def chapters_and_summary(
    scan: ScanResult,
    text: TextResult | None,
    transcript: Transcript | None,
    *,
    embedder: Embedder | None = None,
    options: ChapterOptions | None = None,
) -> ChaptersResult:
    chapters = make_chapters(scan, text, transcript, embedder=embedder, options=options)
    return ChaptersResult(chapters, summarize(chapters, text, transcript, embedder=embedder, options=options))
