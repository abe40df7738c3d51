"""The answer engine: reads the question, resolves it against the conversation, gathers evidence
from the videos' indexes, and answers with the built-in composer, a language model that writes
from numbered evidence (checked before it is accepted), or both: each question takes the path
that answers it best (see `route`)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass

from visionscope.analysis import Embedder

from .citations import Citation, checked, citation_of
from .compose import compose
from .compose_topics import Evidence
from .evidence import model_evidence, whole_evidence
from .knowledge import TEXT, TRANSCRIPT, VIDEO, KnowledgeCache, Passage, Subject, VideoFacts, VideoKnowledge
from .memory import Focus, Plan, Turn, plan
from .phrasing import without_guess
from .questions import Channel, Form, read_question
from .retrieval import Moment, WordMeanings, best_first, find_moments
from .routing import asks_model, asks_stated_length
from .search import SearchHit, search_videos
from .timecodes import Anchor, marks_in
from .units import with_other_units
from .verify import Verdict
from .writers import Outcome, Retract, Writer, read_verdict, written
from .writing import Draft, asks_what_the_video_holds, not_found, pieces_of
from .yes_no import YES

log = logging.getLogger("visionscope.answers")

TOPIC_FORMS = frozenset({Form.WHEN, Form.SAID_ABOUT, Form.LOOKUP, Form.EXISTS, Form.QUANTITY})
BUILTIN, MODEL = "builtin", "llm"


@dataclass(frozen=True)
class Answer:
    content: str
    grounded: bool
    citations: tuple[Citation, ...]
    engine: str
    turn: Turn


@dataclass(frozen=True)
class Prepared:
    """A question understood and its evidence gathered; the built-in draft is ready."""

    plan: Plan
    evidence: Evidence
    draft: Draft
    pool: tuple[Passage, ...]
    for_model: tuple[Passage, ...]
    names: dict[object, str]
    whole: bool = False
    """`for_model` is all the videos say and show (the same for every question), not a choice."""


def _sources(question_form: Form, channel: Channel) -> tuple[str, ...]:
    if question_form is Form.SAID_ABOUT or channel is not Channel.SHOWN:
        return (TRANSCRIPT, TEXT)
    return (TEXT, TRANSCRIPT)


def _window(plan_: Plan, facts: VideoFacts) -> tuple[float, float] | None:
    time = plan_.question.time
    return None if time is None else time.resolve(facts.duration)


def _scene(plan_: Plan, facts: VideoFacts) -> int | None:
    ref = plan_.question.scene
    return None if ref is None else ref.index(len(facts.scenes))


def _moments(plan_: Plan, videos: Sequence[VideoKnowledge], related: WordMeanings | None) -> list[Moment]:
    question = plan_.question
    words = plan_.words or plan_.context
    if not words:
        return []
    query = " ".join(dict.fromkeys([*plan_.words, *plan_.context]))
    sources = _sources(question.form, question.channel)
    referent = plan_.referent
    if referent is not None:
        for knowledge in videos:
            if knowledge.facts.video_id != referent.video_id:
                continue
            scene = knowledge.facts.scene_at((referent.start + referent.end) / 2)
            window = (scene.start, scene.end) if scene else (referent.start - 5, referent.end + 5)
            near = find_moments(
                knowledge,
                words,
                query=query,
                sources=sources,
                time_range=window,
                related=related,
                kind=question.asks_for,
            )
            if any(m.supported for m in near):
                return near
    found: list[Moment] = []
    for knowledge in videos:
        if question.scene is not None and _scene(plan_, knowledge.facts) is None:
            continue
        found.extend(
            find_moments(
                knowledge,
                words,
                query=query,
                sources=sources,
                time_range=_window(plan_, knowledge.facts),
                scene=_scene(plan_, knowledge.facts),
                related=related,
                kind=question.asks_for,
            )
        )
    return best_first(found)


def _anchor(plan_: Plan, videos: Sequence[VideoKnowledge], related: WordMeanings | None) -> Focus | None:
    """What "after X" / "before X" is relative to: a time, a scene or the moment of a topic."""
    question = plan_.question
    facts = videos[0].facts
    if question.time is not None:
        if question.time.anchor in (Anchor.POINT, Anchor.AFTER, Anchor.BEFORE):
            lo = hi = question.time.start
        else:
            lo, hi = question.time.resolve(facts.duration)
        scene = facts.scene_at(lo)
        return Focus(facts.video_id, lo, hi, "time", scene.index if scene else None)
    if question.scene is not None:
        index = question.scene.index(len(facts.scenes))
        if index is None:
            return None
        s = facts.scenes[index]
        return Focus(facts.video_id, s.start, s.end, "scene", s.index)
    found = [m for m in _moments(plan_, videos, related) if m.supported]
    if not found:
        return None
    best = found[0]
    return Focus(best.video_id, best.start, best.end, best.passages[0].source, best.scene)


def gather(plan_: Plan, videos: Sequence[VideoKnowledge], related: WordMeanings | None) -> Evidence:
    """The evidence a question's form needs."""
    facts = tuple(k.facts for k in videos)
    question = plan_.question
    referent = plan_.referent
    if referent is not None and all(f.video_id != referent.video_id for f in facts):
        referent = None
    form = question.form
    moments: list[Moment] = []
    own_anchor = question.scene is not None or question.time is not None
    if form in TOPIC_FORMS or (
        plan_.words and form in (Form.SPAN, Form.COLOUR) and referent is None and not own_anchor
    ):
        moments = _moments(plan_, videos, related)
    if form in (Form.AFTER, Form.BEFORE) and referent is None and videos:
        referent = _anchor(plan_, videos, related)
    return Evidence(facts, tuple(moments), referent)


def _pool(evidence: Evidence, for_model: Sequence[Passage]) -> tuple[Passage, ...]:
    """What citations may stand on: the videos' passages and the model's evidence (lines on
    screen together, joined)."""
    pool: list[Passage] = []
    for video in evidence.videos:
        pool.extend(video.transcript)
        pool.extend(video.text)
        pool.extend(video.scene_notes)
        pool.extend(video.chapters)
        pool.extend(video.summary)
        pool.append(video.length_fact())
    held = set(pool)
    return (*pool, *(p for p in for_model if p not in held))


def route(prepared: Prepared, builtin: Answer) -> bool:
    """Whether the language model is asked (see `routing.asks_model`)."""
    return asks_model(prepared.plan, builtin.grounded, bool(prepared.for_model))


def _turn(prepared: Prepared, citations: Sequence[Citation], grounded: bool) -> Turn:
    plan_ = prepared.plan
    focus = tuple(
        Focus(c.video_id, c.start, c.end, c.source, _scene_of(prepared.evidence, c))
        for c in citations
        if c.source != VIDEO
    )
    referent = prepared.draft.referent or prepared.evidence.referent
    return Turn(plan_.question.form.value, plan_.words or plan_.context, focus if grounded else (), referent)


def _scene_of(evidence: Evidence, citation: Citation) -> int | None:
    for video in evidence.videos:
        if video.video_id == citation.video_id:
            scene = video.scene_at((citation.start + citation.end) / 2)
            return scene.index if scene else None
    return None


def _passage_at(videos: Sequence[VideoFacts], second: float) -> Passage | None:
    """The passage a "[mm:ss]" mark stands for: one that starts in that second."""
    for video in videos:
        for pool in (video.transcript, video.text, video.scene_notes, video.chapters):
            for passage in pool:
                if int(passage.start + 1e-6) == second:
                    return passage
    return None


class AnswerEngine:
    """Answers questions about videos; thread-safe, one per process. `model` is the writer of
    model answers (the local model or a model server), None for the built-in engine alone."""

    def __init__(
        self,
        knowledge: KnowledgeCache,
        embedder: Callable[[], Embedder | None],
        model: Writer | None = None,
    ) -> None:
        self.knowledge = knowledge
        self.model = model
        self._embedder = embedder
        self._related: WordMeanings | None = None

    def _meanings(self) -> WordMeanings | None:
        if self._related is None:
            embedder = self._embedder()
            self._related = WordMeanings(embedder) if embedder is not None else None
        return self._related

    def prepare(self, question: str, subjects: Sequence[Subject], history: Sequence[Turn]) -> Prepared:
        """Understand, gather and compose (CPU work: call it in a thread)."""
        videos = [self.knowledge.get(s) for s in subjects]
        planned = plan(read_question(question), history)
        evidence = gather(planned, videos, self._meanings())
        draft = compose(planned, evidence)
        whole = whole_evidence(videos) if self.model is not None else ()
        for_model = whole or (
            model_evidence(question, planned, videos, draft.citations if draft.grounded else ())
            if self.model is not None
            else ()
        )
        names: dict[object, str] = {k.facts.video_id: k.facts.name for k in videos}
        return Prepared(planned, evidence, draft, _pool(evidence, for_model), for_model, names, bool(whole))

    def builtin(self, prepared: Prepared) -> Answer:
        draft = prepared.draft
        citations = (
            checked([citation_of(p) for p in draft.citations], prepared.pool) if draft.grounded else []
        )
        if draft.grounded and not citations:
            draft = not_found(prepared.plan.question)
        return Answer(
            draft.content,
            draft.grounded,
            tuple(citations),
            BUILTIN,
            _turn(prepared, citations, draft.grounded),
        )

    def from_model(self, prepared: Prepared, verdict: Verdict) -> Answer | None:
        """The model's answer when it was accepted and its citations stand, else None."""
        if not verdict.accepted:
            return None
        citations = checked([citation_of(p) for p in verdict.citations], prepared.pool)
        if not citations:
            return None
        return Answer(verdict.content, True, tuple(citations), MODEL, _turn(prepared, citations, True))

    def choose(self, prepared: Prepared, builtin: Answer, outcome: Outcome | None) -> Answer:
        """The model's checked answer; else the built-in one when grounded (not for a length the
        video should state: the built-in engine would measure time on screen); else a refusal."""
        if outcome is None or outcome.verdict is None:
            return builtin
        accepted = self.from_model(prepared, outcome.verdict)
        if accepted is not None:
            return accepted
        if builtin.grounded and not asks_stated_length(prepared.plan):
            return builtin
        refusal = not_found(prepared.plan.question).content if builtin.grounded else builtin.content
        return Answer(refusal, False, (), MODEL, _turn(prepared, (), False))

    async def with_verdict(
        self, prepared: Prepared, answer: Answer, conversation: Sequence[tuple[str, str]]
    ) -> Answer:
        """The built-in answer to a yes-or-no question it gives no verdict for ("Will the Denver
        site open in September?" answered with what the video says about it) leads with "Yes"
        when the model, reading only the lines it cites, reads a yes. A "No" is not added: the
        lines are the built-in engine's choice, and the model reads "No" in lines that do not
        answer the question as often as in lines that say no."""
        question = prepared.plan.question
        if (
            self.model is None
            or answer.engine != BUILTIN
            or not answer.grounded
            or not question.yes_no
            or asks_what_the_video_holds(question)
        ):
            return answer
        lines = [p for p in prepared.draft.citations if p.source != VIDEO]
        try:
            before = conversation[-1][0] if conversation else ""  # what a follow-up refers to
            verdict = await read_verdict(self.model, question.text, lines, before) if lines else None
        except Exception as err:  # the answer stands without a verdict
            log.warning("the yes-or-no reading failed", extra={"error": f"{type(err).__name__}: {err}"})
            return answer
        if verdict != YES:  # a close reading of lines that do not answer reads "No" too
            return answer
        return Answer(f"Yes. {answer.content}", True, answer.citations, MODEL, answer.turn)

    async def _model_items(
        self, prepared: Prepared, question: str, conversation: Sequence[tuple[str, str]]
    ) -> AsyncIterator[str | Retract | Outcome]:
        assert self.model is not None
        asked = prepared.plan.question
        items = written(
            self.model,
            with_other_units(without_guess(question)),
            prepared.for_model,
            conversation,
            prepared.names,
            asked,
            whole=prepared.whole,
        )
        async for item in items:
            yield item

    async def answer(
        self,
        question: str,
        subjects: Sequence[Subject],
        history: Sequence[Turn],
        conversation: Sequence[tuple[str, str]] = (),
    ) -> Answer:
        prepared = await asyncio.to_thread(self.prepare, question, subjects, history)
        builtin = self.builtin(prepared)
        if self.model is None or not route(prepared, builtin):
            return builtin
        outcome = None
        async for item in self._model_items(prepared, question, conversation):
            if isinstance(item, Outcome):
                outcome = item
        return await self.with_verdict(prepared, self.choose(prepared, builtin, outcome), conversation)

    async def stream(
        self,
        question: str,
        subjects: Sequence[Subject],
        history: Sequence[Turn],
        conversation: Sequence[tuple[str, str]] = (),
    ) -> AsyncIterator[str | Retract | Answer]:
        """Pieces of the answer's text as they are written, a `Retract` when streamed text is
        withdrawn (the check rejected it: what follows replaces it), then the `Answer` itself."""
        prepared = await asyncio.to_thread(self.prepare, question, subjects, history)
        builtin = self.builtin(prepared)
        outcome = None
        streamed = ""  # the text the client holds since the last Retract
        if self.model is not None and route(prepared, builtin):
            async for item in self._model_items(prepared, question, conversation):
                if isinstance(item, Outcome):
                    outcome = item
                    continue
                streamed = "" if isinstance(item, Retract) else streamed + item
                yield item
        answer = self.choose(prepared, builtin, outcome)
        if outcome is not None:
            answer = await self.with_verdict(prepared, answer, conversation)
        # The stored answer is the one to keep: what was streamed must add up to it exactly.
        if streamed and not answer.content.startswith(streamed):
            yield Retract("the answer was rewritten")
            streamed = ""
        rest = answer.content[len(streamed) :]
        for piece in pieces_of(rest) if rest else ():
            yield piece
        yield answer

    async def recall(self, subjects: Sequence[Subject], exchanges: Sequence[tuple[str, str]]) -> list[Turn]:
        """Memory rebuilt from an earlier transcript: each answer's "[mm:ss]" marks are its moments."""
        return await asyncio.to_thread(self._recall, subjects, exchanges)

    def _recall(self, subjects: Sequence[Subject], exchanges: Sequence[tuple[str, str]]) -> list[Turn]:
        facts = [self.knowledge.get(s).facts for s in subjects]
        turns = []
        for asked, answered in exchanges:
            question = read_question(asked)
            focus = []
            for second in marks_in(answered):
                passage = _passage_at(facts, second)
                if passage is not None:
                    focus.append(
                        Focus(passage.video_id, passage.start, passage.end, passage.source, passage.scene)
                    )
            turns.append(Turn(question.form.value, question.terms, tuple(focus)))
        return turns

    def search(self, query: str, subjects: Sequence[Subject], limit: int) -> list[SearchHit]:
        """Moments across videos for a search query, best first (CPU work: call it in a thread)."""
        return search_videos([self.knowledge.get(s) for s in subjects], query, limit)
