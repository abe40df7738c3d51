"""Finding the moments that support a topic: hybrid search over each video's index, hits gathered
into moments (what is said and shown at one time), each moment checked for how well it covers
the topic's words."""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from visionscope.analysis import Embedder

from .knowledge import TEXT, TRANSCRIPT, Passage, VideoKnowledge
from .numbers import replace_number_words
from .terms import Coverage, Relatedness, coverage, stem, vocabulary

#: Cosine similarity of two single words' embeddings above which they count as the same meaning
#: ("bike" ~ "bicycles" 0.83, "lab" ~ "laboratory" 0.84; "car" ~ "truck" 0.68 and "ceo" ~ "executive"
#: 0.73 do not count). Words of closed sets (months, colours...) are never matched this way.
RELATED_WORDS = 0.75
#: How many index hits a search looks at per video.
HITS_PER_VIDEO = 24
#: Passages closer than this (seconds) in one scene are one moment.
MOMENT_GAP = 2.0
_MONTHS = r"january|february|march|april|may|june|july|august|september|october|november|december"
_WEEKDAYS = r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|tomorrow|yesterday"
#: What a passage must hold to answer "what month / which year / what number ..." questions.
ANSWER_KINDS = {
    "month": re.compile(rf"\b({_MONTHS})\b", re.IGNORECASE),
    "year": re.compile(r"\b(1[5-9]|20)\d\d\b"),
    "day": re.compile(rf"\b({_WEEKDAYS}|{_MONTHS})\b", re.IGNORECASE),
    "weekday": re.compile(rf"\b({_WEEKDAYS})\b", re.IGNORECASE),
    "date": re.compile(
        rf"\b({_MONTHS}|{_WEEKDAYS}|next (week|month|year))\b|\b\d{{1,4}}[/.-]\d{{1,2}}\b", re.IGNORECASE
    ),
    "number": re.compile(r"\d"),
    "amount": re.compile(r"\d"),
    "percentage": re.compile(r"\d"),
    "duration": re.compile(r"\d+(\.\d+)?\s*(seconds?|minutes?|hours?|days?|weeks?|months?|years?)\b"),
}


class WordMeanings:
    """Semantic matching of single words with the sentence embedder."""

    def __init__(self, embedder: Embedder, threshold: float = RELATED_WORDS) -> None:
        self._embedder = embedder
        self._threshold = threshold
        self._lock = threading.Lock()

    def __call__(self, word: str, candidates: Sequence[str]) -> bool:
        with self._lock:  # the embedder's cache is not made for concurrent writers
            vectors = self._embedder.embed([word, *candidates])
        similarity = vectors[1:] @ vectors[0]
        return bool(similarity.size and float(np.max(similarity)) >= self._threshold)


@dataclass(frozen=True)
class Moment:
    """Passages of one video at one time that a search found, and how they cover the topic."""

    passages: tuple[Passage, ...]
    coverage: Coverage
    similarity: float
    lexical: float

    @property
    def video_id(self) -> uuid.UUID:
        return self.passages[0].video_id

    @property
    def start(self) -> float:
        return min(p.start for p in self.passages)

    @property
    def end(self) -> float:
        return max(p.end for p in self.passages)

    @property
    def scene(self) -> int | None:
        return next((p.scene for p in self.passages if p.scene is not None), None)

    @property
    def supported(self) -> bool:
        return self.coverage.complete and bool(self.coverage.terms)

    def rank(self) -> tuple[float, ...]:
        return (
            float(self.supported),
            self.coverage.share,
            self.coverage.literal_share,
            self.lexical > 0,
            self.similarity,
        )


@dataclass(frozen=True, slots=True)
class _Hit:
    passage: Passage
    similarity: float
    lexical: float


def _search(
    knowledge: VideoKnowledge,
    query: str,
    sources: Sequence[str],
    time_range: tuple[float, float] | None,
    scene: int | None,
) -> list[_Hit]:
    facts = knowledge.facts
    hits = []
    for hit in knowledge.index.search(query, k=HITS_PER_VIDEO, time_range=time_range, sources=sources):
        doc = hit.document
        if scene is not None and doc.scene != scene:
            continue
        passage = Passage(facts.video_id, doc.source, doc.start, doc.end, doc.text, doc.scene)
        hits.append(_Hit(passage, hit.similarity, hit.lexical))
    return hits


def _group(hits: list[_Hit]) -> list[list[_Hit]]:
    """Hits of one scene that touch in time (within MOMENT_GAP) make one moment."""
    groups: list[list[_Hit]] = []
    for hit in sorted(hits, key=lambda h: (h.passage.start, h.passage.end)):
        if groups:
            last = groups[-1]
            end = max(h.passage.end for h in last)
            scenes = {h.passage.scene for h in last} - {None}
            same_scene = hit.passage.scene is None or not scenes or hit.passage.scene in scenes
            if same_scene and hit.passage.start <= end + MOMENT_GAP:
                last.append(hit)
                continue
        groups.append([hit])
    return groups


def _order(group: list[_Hit], words: Sequence[str], prefer: Sequence[str]) -> tuple[Passage, ...]:
    """The group's passages, the one that covers most of the topic first (then by source preference)."""

    def key(hit: _Hit) -> tuple[float, ...]:
        held = coverage(words, vocabulary([hit.passage.text]))
        rank = prefer.index(hit.passage.source) if hit.passage.source in prefer else len(prefer)
        return (-held.share, rank, -hit.lexical, -hit.similarity, hit.passage.start)

    return tuple(h.passage for h in sorted(group, key=key))


def find_moments(
    knowledge: VideoKnowledge,
    words: Sequence[str],
    *,
    query: str = "",
    sources: Sequence[str] = (TRANSCRIPT, TEXT),
    time_range: tuple[float, float] | None = None,
    scene: int | None = None,
    related: Relatedness | None = None,
    kind: str | None = None,
) -> list[Moment]:
    """The moments of one video for a topic (`words`, searched as `query` when given), best first.

    With a `kind` ("month", "year", "number"...) a moment must also hold something of that kind."""
    search_for = query or " ".join(words)
    if not search_for.strip():
        return []
    moments = []
    common = knowledge.facts.common
    required = [w for w in words if stem(w) not in common] or list(words)
    for group in _group(_search(knowledge, search_for, sources, time_range, scene)):
        held = vocabulary(h.passage.text for h in group)
        found = coverage(required, held, related)
        pattern = ANSWER_KINDS.get(kind or "")
        if pattern is not None:
            has_kind = any(pattern.search(replace_number_words(h.passage.text.lower())) for h in group)
            found = Coverage(
                (*found.terms, f"<{kind}>"),
                (*found.literal, *((f"<{kind}>",) if has_kind else ())),
                found.related,
            )
        moments.append(
            Moment(
                passages=_order(group, words, sources),
                coverage=found,
                similarity=max(h.similarity for h in group),
                lexical=max(h.lexical for h in group),
            )
        )
    return best_first(moments)


def best_first(moments: Sequence[Moment]) -> list[Moment]:
    return sorted(moments, key=lambda m: m.rank(), reverse=True)
