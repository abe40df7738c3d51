"""Project search: moments across videos for a query, ranked on one scale, with snippets."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from .knowledge import VideoKnowledge
from .terms import content_words, coverage, stem, vocabulary

#: Below this cosine similarity a hit that shares no word with the query is not shown.
MIN_SIMILARITY = 0.3
SNIPPET = 200


@dataclass(frozen=True, slots=True)
class SearchHit:
    video_id: uuid.UUID
    start: float
    end: float
    score: float
    source: str
    snippet: str


def snippet(text: str, words: Sequence[str], limit: int = SNIPPET) -> str:
    """The text around the first query word it holds, at most `limit` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    stems = {stem(w) for w in words}
    first = next((m.start() for m in re.finditer(r"\w+", text) if stem(m.group().lower()) in stems), 0)
    begin = max(0, min(first - limit // 3, len(text) - limit))
    piece = text[begin : begin + limit]
    return ("..." if begin else "") + piece.strip() + ("..." if begin + limit < len(text) else "")


def search_videos(videos: Sequence[VideoKnowledge], query: str, limit: int) -> list[SearchHit]:
    """Hits of every video scored alike: half how many query words they hold, half meaning."""
    words = content_words(query)
    found: list[SearchHit] = []
    for knowledge in videos:
        for hit in knowledge.index.search(query, k=limit + 10):
            doc = hit.document
            held = coverage(words, vocabulary([doc.text]))
            if held.share == 0 and hit.similarity < MIN_SIMILARITY:
                continue
            score = round(0.5 * held.share + 0.5 * max(hit.similarity, 0.0), 4)
            found.append(
                SearchHit(
                    knowledge.facts.video_id, doc.start, doc.end, score, doc.source, snippet(doc.text, words)
                )
            )
    found.sort(key=lambda h: (-h.score, str(h.video_id), h.start))
    return found[:limit]
