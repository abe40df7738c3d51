"""The evidence a language model is given: the few passages closest to the question, found by
hybrid search (MiniLM embeddings + BM25) with the question's own words and meaning, plus the
moment a follow-up is about and the built-in engine's citations. Short prompts are fast prompts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .knowledge import SCENE, TEXT, TRANSCRIPT, Passage, VideoKnowledge
from .memory import Plan

#: How many passages the model is given at most (besides the videos' lengths).
MODEL_EVIDENCE = 6
#: Videos whose speech and on-screen text fit in this many characters are given to the model
#: whole, in the same words for every question: the model reads it once (its evaluated state is
#: reused for the next question) and no search can leave out the line that answers.
WHOLE_EVIDENCE_CHARS = 3600
#: Hits looked at per video for the question.
QUESTION_HITS = 10
#: Seconds around a follow-up's moment whose passages are given.
AROUND_REFERENT = 4.0
_SAID_AND_SHOWN = (TRANSCRIPT, TEXT)
#: On-screen lines of a scene shown at the same time are one piece of evidence, up to this many
#: characters.
SHOWN_TOGETHER_CHARS = 160
#: Questions about how things look also get the scenes' descriptions (colours, light, motion).
_LOOKS = re.compile(
    r"\b(colou?rs?|bright|brightness|dark|light|motion|moving|still|look|looks|scene|scenes|shot|shots)\b",
    re.IGNORECASE,
)


def _passage(
    knowledge: VideoKnowledge, source: str, start: float, end: float, text: str, scene: int | None
) -> Passage:
    return Passage(knowledge.facts.video_id, source, start, end, text, scene)


def _around(plan_: Plan, videos: Sequence[VideoKnowledge]) -> list[Passage]:
    """What is said and shown at the moment a follow-up points back to."""
    referent = plan_.referent
    if referent is None:
        return []
    for knowledge in videos:
        facts = knowledge.facts
        if facts.video_id != referent.video_id:
            continue
        lo, hi = referent.start - AROUND_REFERENT, referent.end + AROUND_REFERENT
        near = [p for p in (*facts.transcript, *facts.text) if p.overlaps(lo, hi)]
        return sorted(near, key=lambda p: abs((p.start + p.end) / 2 - (referent.start + referent.end) / 2))[
            :4
        ]
    return []


def _searched(query: str, videos: Sequence[VideoKnowledge]) -> list[Passage]:
    """The best passages of every video for the query, best first (scores compare across videos:
    reciprocal rank fusion of the two rankings)."""
    sources = (*_SAID_AND_SHOWN, SCENE) if _LOOKS.search(query) else _SAID_AND_SHOWN
    scored: list[tuple[float, float, Passage]] = []
    for knowledge in videos:
        for hit in knowledge.index.search(query, k=QUESTION_HITS, sources=sources):
            doc = hit.document
            passage = _passage(knowledge, doc.source, doc.start, doc.end, doc.text, doc.scene)
            scored.append((hit.score, hit.similarity, passage))
    scored.sort(key=lambda hit: (-hit[0], -hit[1]))
    return [p for _, _, p in scored]


def _with_previous_sentence(passages: list[Passage], videos: Sequence[VideoKnowledge]) -> list[Passage]:
    """A short transcript segment with the one before it, when they touch: a sentence cut by
    speech recognition ("It opens in September." after "The new Denver warehouse ...")."""
    out: list[Passage] = []
    by_video = {k.facts.video_id: k.facts.transcript for k in videos}
    for passage in passages:
        if passage.source == TRANSCRIPT and len(passage.text.split()) < 12:
            said = by_video.get(passage.video_id, ())
            before = [p for p in said if p.end <= passage.start + 0.01 and passage.start - p.end < 1.5]
            if before and before[-1] not in out:
                out.append(before[-1])
        if passage not in out:
            out.append(passage)
    return out


def shown_together(passages: Sequence[Passage]) -> tuple[Passage, ...]:
    """The passages, with the lines on screen together in a scene as one passage where the first
    of them was ("Breaks / 15 Minutes Every 2 Hours"): given a title and the line under it as two
    pieces of evidence, a small model does not connect them ("How often do I get a break?" was
    answered "not in the video" beside "15 Minutes Every 2 Hours")."""
    out: list[Passage] = []
    for passage in passages:
        joined = False
        if passage.source == TEXT:
            for n, held in enumerate(out):
                if (
                    held.source == TEXT
                    and held.video_id == passage.video_id
                    and held.scene == passage.scene
                    and held.overlaps(passage.start, passage.end)
                    and len(held.text) + len(passage.text) + 3 <= SHOWN_TOGETHER_CHARS
                ):
                    start, end = min(held.start, passage.start), max(held.end, passage.end)
                    text = f"{held.text} / {passage.text}"
                    out[n] = Passage(held.video_id, TEXT, start, end, text, held.scene)
                    joined = True
                    break
        if not joined:
            out.append(passage)
    return tuple(out)


def whole_evidence(
    videos: Sequence[VideoKnowledge], limit: int = WHOLE_EVIDENCE_CHARS
) -> tuple[Passage, ...]:
    """Everything said and shown in the videos, in the order of the videos and of time (lines on
    screen together as one), or nothing when it is longer than `limit` characters (then
    `model_evidence` chooses)."""
    chosen: list[Passage] = []
    size = 0
    for knowledge in videos:
        facts = knowledge.facts
        seen: set[str] = set()
        for passage in sorted((*facts.transcript, *facts.text), key=lambda p: (p.start, p.source)):
            key = " ".join(passage.text.lower().split())
            if passage.source == TEXT and key in seen:
                continue
            seen.add(key)
            size += len(passage.text) + 24
            if size > limit:
                return ()
            chosen.append(passage)
    return shown_together(chosen)


def model_evidence(
    question: str,
    plan_: Plan,
    videos: Sequence[VideoKnowledge],
    cited: Sequence[Passage] = (),
    limit: int = MODEL_EVIDENCE,
) -> tuple[Passage, ...]:
    """Evidence for the model, in the order of the videos and of time, at most `limit` passages:
    the follow-up's moment, the built-in engine's citations, then the search's best hits. Not the
    video's length: "how long will it take?" must be answered with what the video says."""
    query = " ".join(dict.fromkeys([question, *plan_.context]))
    chosen: list[Passage] = []
    seen: set[tuple[object, ...]] = set()

    def add(passage: Passage) -> None:
        key = (passage.video_id, passage.source, round(passage.start), passage.text)
        if passage.source != "video" and key not in seen:
            seen.add(key)
            chosen.append(passage)

    for passage in (*_around(plan_, videos), *cited[:3]):
        add(passage)
    for passage in _with_previous_sentence(_searched(query, videos)[:limit], videos):
        if len(chosen) >= limit:
            break
        add(passage)
    order = {k.facts.video_id: i for i, k in enumerate(videos)}
    chosen.sort(key=lambda p: (order.get(p.video_id, 0), p.start, p.source))
    return shown_together(chosen)
