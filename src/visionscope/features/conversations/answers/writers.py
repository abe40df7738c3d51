"""Asking a language model for an answer and checking it: one attempt, and one retry told what
was wrong; the pieces of text are handed on as they are written. Pure of any model: a `Writer`
is the local model or a model server.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from visionscope.language_model import ModelUnavailable

from .knowledge import Passage
from .prompt import NOT_IN_VIDEO, messages_for
from .questions import Question
from .reading import ANSWERS_INSTRUCTION, check_messages, read_check
from .verify import Verdict, at_same_moment, retry_note, verify, with_marks
from .yes_no import QUOTED_LINES, on_topic, stated_answer, verdict_of

log = logging.getLogger("visionscope.answers")

ATTEMPTS = 2
#: Characters of a close reading's reply read for its one word.
CHECK_CHARS = 24


class Writer(Protocol):
    """Writes a reply to chat messages, piece by piece."""

    def stream(self, messages: Sequence[dict[str, str]], *, aside: bool = False) -> AsyncIterator[str]:
        """`aside`: a short prompt of its own, which should not replace the state kept for
        the long prompts that share their start."""
        ...


@dataclass(frozen=True, slots=True)
class Retract:
    """The text streamed so far is withdrawn (the check rejected it); what follows replaces it."""

    reason: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """The model's last verdict; None when the model failed (the built-in engine answers)."""

    verdict: Verdict | None
    attempts: int


def _showable(raw: str, evidence: Sequence[Passage]) -> str | None:
    """What of a reply being written can be shown: marks resolved, a mark being written held back;
    nothing while it may still be the refusal phrase."""
    head = raw.lstrip().upper()
    if len(head) < len(NOT_IN_VIDEO) and NOT_IN_VIDEO.startswith(head):
        return None
    if head.startswith(NOT_IN_VIDEO):
        return None
    settled = raw[: raw.rfind("[")] if raw.count("[") > raw.count("]") else raw
    return with_marks(settled, evidence, strip=False).rstrip()


async def _close_reading(writer: Writer, messages: Sequence[dict[str, str]]) -> str:
    """The model's one-word reply (stops the model once the word is written)."""
    reply = ""
    async for piece in writer.stream(messages, aside=True):
        reply += piece
        if len(reply) >= CHECK_CHARS or (read_check(reply) is not None and not reply.rstrip()[-1:].isalpha()):
            break
    return reply


async def read_verdict(
    writer: Writer, question: str, lines: Sequence[Passage], before: str = ""
) -> str | None:
    """The model's yes or no from only these lines, in a prompt of its own (None: neither)."""
    check = await _close_reading(writer, check_messages(question, lines, before))
    read = read_check(check)
    log.info("a yes-or-no question was read on its lines", extra={"read": read, "check": check[:40]})
    return read


async def yes_no_checked(
    writer: Writer, raw: str, verdict: Verdict, question: str, evidence: Sequence[Passage], before: str = ""
) -> Verdict:
    """A yes-or-no reply checked on the lines it cites (see `yes_no`): a close reading of them
    gives the verdict. The reply stands as written when it passed the check and the reading
    agrees; otherwise the reading's verdict stands, in the words of those lines, when they are
    about the question; rejected when the reading gives no verdict or the lines are about
    something else. Other replies are returned as they are."""
    said = verdict_of(raw)
    if said is None or verdict.declined or not verdict.citations:
        return verdict
    lines = at_same_moment(verdict.citations, evidence)
    read = await read_verdict(writer, question, lines, before)
    if read is None:
        problem = "the cited evidence, read closely, answers neither yes nor no"
        return Verdict(verdict.content, verdict.citations, False, (problem,))
    if read == said and verdict.accepted:
        return verdict
    if not on_topic(question, lines):
        return Verdict(
            verdict.content, verdict.citations, False, ("the cited evidence is about something else",)
        )
    # The close reading's verdict, in the lines' own words: given a few lines, the model reads
    # them more closely than given the whole video (where it answers "Yes" to most questions).
    return Verdict(stated_answer(read, lines), tuple(lines[:QUOTED_LINES]), False, ())


async def answer_read(
    writer: Writer, verdict: Verdict, question: str, evidence: Sequence[Passage]
) -> Verdict:
    """An accepted answer to a question that is not yes-or-no, rejected when the model, reading
    only the lines it cites (see `reading`), finds that they do not answer the question."""
    if not verdict.accepted:
        return verdict
    lines = at_same_moment(verdict.citations, evidence)
    check = await _close_reading(writer, check_messages(question, lines, instruction=ANSWERS_INSTRUCTION))
    read = read_check(check)
    log.info("an answer was read on its lines", extra={"read": read, "check": check[:40]})
    if read != "no":
        return verdict
    problem = "the cited evidence, read closely, does not answer the question"
    return Verdict(verdict.content, verdict.citations, False, (problem,))


async def written(
    writer: Writer,
    question: str,
    evidence: Sequence[Passage],
    history: Sequence[tuple[str, str]] = (),
    names: dict[object, str] | None = None,
    asked: Question | None = None,
    *,
    whole: bool = False,
) -> AsyncIterator[str | Retract | Outcome]:
    """Text pieces as the model writes them, a `Retract` when a streamed attempt is rejected,
    and last the `Outcome`. At most two attempts; a declined answer is not retried."""
    note = ""
    verdict: Verdict | None = None
    for attempt in range(1, ATTEMPTS + 1):
        raw, sent = "", ""
        messages = messages_for(
            question, evidence, history, names, note, whole=whole, yes_no=asked is not None and asked.yes_no
        )
        try:
            async for piece in writer.stream(messages):
                raw += piece
                shown = _showable(raw, evidence)
                if shown is not None and shown.startswith(sent) and len(shown) > len(sent):
                    yield shown[len(sent) :]
                    sent = shown
        except Exception as err:  # any failure of the model: the built-in engine answers
            if not isinstance(err, ModelUnavailable):  # that one is logged once, when loading failed
                log.warning("the answer model failed", extra={"error": f"{type(err).__name__}: {err}"})
            if sent:
                yield Retract("the model failed")
            yield Outcome(None, attempt)
            return
        verdict = verify(raw, evidence, asked)
        try:
            if asked is not None and asked.yes_no:
                before = history[-1][0] if history else ""
                verdict = await yes_no_checked(writer, raw, verdict, question, evidence, before)
            else:
                verdict = await answer_read(writer, verdict, question, evidence)
        except Exception as err:  # the check failed: the reply stands or falls as it is
            log.warning("the close reading failed", extra={"error": f"{type(err).__name__}: {err}"})
        if verdict.accepted:
            if verdict.content != sent:
                if sent and not verdict.content.startswith(sent):
                    yield Retract("the answer was rewritten")
                    sent = ""
                yield verdict.content[len(sent) :]
            yield Outcome(verdict, attempt)
            return
        log.info(
            "a model answer was rejected",
            extra={
                "attempt": attempt,
                "problems": list(verdict.problems),
                "declined": verdict.declined,
                "reply": raw[:400],
            },
        )
        if sent:
            yield Retract("; ".join(verdict.problems) or "the answer was withdrawn")
        if verdict.declined:
            break
        note = retry_note(verdict)
    yield Outcome(verdict, attempt)
