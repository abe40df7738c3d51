"""What a language model is given: a fixed instruction, the conversation so far, numbered evidence
and the question. Pure.

The instruction is identical for every question and comes first, so that a model server (or the
local model) reuses its evaluated state across questions; what changes comes after it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .knowledge import CHAPTER, SCENE, TEXT, TRANSCRIPT, VIDEO, Passage
from .numbers import replace_number_words
from .timecodes import MARK, clock

NOT_IN_VIDEO = "NOT IN VIDEO"
SYSTEM_PROMPT = (
    "You answer questions about videos using only the numbered evidence: "
    "what is said, text shown on screen, scene descriptions and facts about the video.\n"
    "Rules:\n"
    "- Answer in one or two short sentences, in English, with the specific details the evidence "
    "gives (names, kinds, numbers, days).\n"
    "- After each statement, cite the evidence that supports it by its number in square brackets, "
    "like [2].\n"
    "- Copy numbers, names and dates exactly as the evidence gives them.\n"
    "- Use only the evidence. Never guess and never use outside knowledge.\n"
    "- The evidence must give exactly what is asked (who, when, how long, how much, which). "
    "Evidence about the same topic that does not give it is not an answer.\n"
    f"- If the evidence does not answer the question, reply exactly: {NOT_IN_VIDEO}"
)
YES_NO_NOTE = "(A yes-or-no question: answer Yes or No first, then the fact from the evidence.)"
_KIND = {TRANSCRIPT: "said", TEXT: "on screen", SCENE: "scene", CHAPTER: "chapter", VIDEO: "video"}
#: Earlier exchanges given to the model (their answers without marks, shortened).
HISTORY_TURNS = 2
HISTORY_CHARS = 240


def in_digits(text: str) -> str:
    """Numbers said in words written in digits ("about three minutes" -> "about 3 minutes",
    "two point four" -> "2.4"): a small model then matches "3 minutes" in a question to them."""
    return re.sub(r"\b(\d+) point (\d+)\b", r"\1.\2", replace_number_words(text))


def evidence_line(n: int, passage: Passage, video_name: str | None = None) -> str:
    """`[2] said at 0:15-0:18: The new warehouse ...` (with the video's name across several videos)."""
    where = f' in "{video_name}"' if video_name else ""
    if passage.source == VIDEO:
        return f"[{n}] fact{where}: {passage.text}"
    when = f"{clock(passage.start)}-{clock(passage.end)}"
    return f"[{n}] {_KIND.get(passage.source, passage.source)}{where} at {when}: {in_digits(passage.text)}"


def evidence_lines(evidence: Sequence[Passage], names: dict[object, str] | None = None) -> str:
    several = names is not None and len({p.video_id for p in evidence}) > 1
    return "\n".join(
        evidence_line(n, p, names.get(p.video_id) if several and names else None)
        for n, p in enumerate(evidence, start=1)
    )


def _plain_answer(text: str) -> str:
    """An earlier answer as the model is shown it: without its time marks (given "(at 0:14)", a
    small model cites that way too, instead of by evidence number), shortened."""
    text = " ".join(re.sub(r"\s+([.,;:!?])", r"\1", MARK.sub("", text)).split())
    return text if len(text) <= HISTORY_CHARS else text[: HISTORY_CHARS - 3].rsplit(" ", 1)[0] + "..."


def answered_exchanges(history: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """The last exchanges whose answer cites the video. One that does not is a refusal: shown
    earlier refusals, a small model refuses the next question in the same words ("The video
    does not say or show anything about ..."), answerable or not."""
    return [(asked, answered) for asked, answered in history if MARK.search(answered)][-HISTORY_TURNS:]


def messages_for(
    question: str,
    evidence: Sequence[Passage],
    history: Sequence[tuple[str, str]] = (),
    names: dict[object, str] | None = None,
    note: str = "",
    *,
    whole: bool = False,
    yes_no: bool = False,
) -> list[dict[str, str]]:
    """Chat messages: the instruction, the last exchanges, then the evidence and the question.
    `whole` evidence (all a video says and shows, the same for every question) comes with the
    instruction instead, before the exchanges: the prompt then starts the same way for every
    question about the video, and the model's state for that start is reused. `note` (a retry's
    reason) is added after the question, and for a `yes_no` question how to start the answer (in
    the question, not the instruction: an instruction about yes-or-no questions makes a small
    model start every answer with "Yes")."""
    if whole:
        system = f"{SYSTEM_PROMPT}\n\nEvidence:\n{evidence_lines(evidence, names)}"
        messages = [{"role": "system", "content": system}]
    else:
        messages = [{"role": "system", "content": SYSTEM_PROMPT}]
    for asked, answered in answered_exchanges(history):
        messages.append({"role": "user", "content": f"Question: {asked}"})
        messages.append({"role": "assistant", "content": _plain_answer(answered)})
    body = (
        f"Question: {question}"
        if whole
        else f"Evidence:\n{evidence_lines(evidence, names)}\n\nQuestion: {question}"
    )
    if yes_no:
        body += f"\n{YES_NO_NOTE}"
    if note:
        body += f"\n\n{note}"
    messages.append({"role": "user", "content": body})
    return messages
