"""Checking citations against the evidence: a citation stands only if a passage of the evidence
has its video, source and times and holds its quote. Pure."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .knowledge import Passage

#: Seconds a cited start or end may differ from the passage's (clients round times).
TOLERANCE = 0.5


@dataclass(frozen=True, slots=True)
class Citation:
    video_id: uuid.UUID
    start: float
    end: float
    source: str
    quote: str


def _plain(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def backing(citation: Citation, evidence: Iterable[Passage]) -> Passage | None:
    """The passage that backs a citation, or None."""
    quote = _plain(citation.quote.rstrip(".").removesuffix("..."))
    for passage in evidence:
        if (
            passage.video_id == citation.video_id
            and passage.source == citation.source
            and abs(passage.start - citation.start) <= TOLERANCE
            and abs(passage.end - citation.end) <= TOLERANCE
            and quote in _plain(passage.text)
        ):
            return passage
    return None


def checked(citations: Sequence[Citation], evidence: Sequence[Passage]) -> list[Citation]:
    """The citations the evidence backs, in order, without repeats."""
    kept: list[Citation] = []
    for citation in citations:
        if citation not in kept and backing(citation, evidence) is not None:
            kept.append(citation)
    return kept


def citation_of(passage: Passage, quote_limit: int = 300) -> Citation:
    text = " ".join(passage.text.split())
    if len(text) > quote_limit:
        text = text[: quote_limit - 3].rsplit(" ", 1)[0] + "..."
    return Citation(passage.video_id, passage.start, passage.end, passage.source, text)
