"""Model-written answers: an OpenAI-compatible chat completions server (vLLM, Ollama, llama.cpp)
writes the answer from the evidence the engine retrieved; its citations are checked against it.

The model cites evidence by number ("[2]"); numbers that name no evidence, and times that fall in
no evidence, are dropped. Any failure (server down, timeout, bad reply) returns None and the
built-in engine answers instead.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

import httpx

from .knowledge import CHAPTER, SCENE, TEXT, TRANSCRIPT, VIDEO, Passage
from .timecodes import clock, mark

log = logging.getLogger("visionscope.answers.model")

NOT_IN_VIDEO = "NOT IN VIDEO"
SYSTEM_PROMPT = (
    "You answer questions about a video using only the numbered evidence you are given: what is said "
    "(transcript), text shown on screen, scene descriptions and facts about the video. Cite every "
    "statement with the number of the evidence that supports it in square brackets, like [2]. Quote "
    "numbers and names exactly as the evidence gives them. If the evidence does not answer the "
    f"question, reply exactly: {NOT_IN_VIDEO}. Never guess and never use outside knowledge. Answer in "
    "one to three sentences, in English."
)
_NUMBER_MARK = re.compile(r"\[(\d{1,3})\]")
_TIME_MARK = re.compile(r"\[(?:(\d{1,2}):)?(\d{1,3}):([0-5]\d)\]")
_KIND = {TRANSCRIPT: "said", TEXT: "on screen", SCENE: "scene", CHAPTER: "chapter", VIDEO: "video"}


@dataclass(frozen=True, slots=True)
class ModelSettings:
    url: str
    model: str
    timeout: float
    api_key: str | None = None

    @property
    def endpoint(self) -> str:
        base = self.url.rstrip("/")
        return base if base.endswith("/chat/completions") else f"{base}/chat/completions"


@dataclass(frozen=True, slots=True)
class Written:
    """A model's answer with its marks turned into "[mm:ss]" and the passages they cite."""

    content: str
    citations: tuple[Passage, ...]
    declined: bool


def evidence_lines(evidence: Sequence[Passage]) -> str:
    """The evidence as numbered lines: "[2] said at 0:15-0:18: The new warehouse ..."."""
    lines = []
    for n, passage in enumerate(evidence, start=1):
        when = f"{clock(passage.start)}-{clock(passage.end)}"
        lines.append(f"[{n}] {_KIND.get(passage.source, passage.source)} at {when}: {passage.text}")
    return "\n".join(lines)


def messages_for(
    question: str, evidence: Sequence[Passage], history: Sequence[tuple[str, str]]
) -> list[dict[str, str]]:
    messages = [{"role": "system", "content": SYSTEM_PROMPT}]
    for asked, answered in history[-3:]:
        messages.append({"role": "user", "content": asked})
        messages.append({"role": "assistant", "content": answered})
    messages.append(
        {"role": "user", "content": f"Evidence:\n{evidence_lines(evidence)}\n\nQuestion: {question}"}
    )
    return messages


def _time_passage(evidence: Sequence[Passage], seconds: float) -> Passage | None:
    return next((p for p in evidence if p.start - 0.5 <= seconds <= p.end + 0.5), None)


def resolve_marks(text: str, evidence: Sequence[Passage]) -> Written:
    """Turn the model's "[n]" and "[mm:ss]" marks into checked citations; drop the others."""
    citations: list[Passage] = []

    def by_number(m: re.Match[str]) -> str:
        n = int(m[1])
        if not 1 <= n <= len(evidence):
            return ""
        passage = evidence[n - 1]
        if passage not in citations:
            citations.append(passage)
        return "" if passage.source == VIDEO else mark(passage.start)

    def by_time(m: re.Match[str]) -> str:
        seconds = int(m[1] or 0) * 3600 + int(m[2]) * 60 + int(m[3])
        passage = _time_passage(evidence, seconds)
        if passage is None:
            return ""
        if passage not in citations:
            citations.append(passage)
        return mark(passage.start)

    content = _TIME_MARK.sub(by_time, _NUMBER_MARK.sub(by_number, text))
    content = re.sub(r"\s+([.,;:])", r"\1", re.sub(r"[ \t]+", " ", content)).strip()
    declined = NOT_IN_VIDEO.lower() in text.lower() or not citations
    return Written(content, tuple(citations), declined)


class ModelWriter:
    """Asks the configured model; None back means "use the built-in engine"."""

    def __init__(self, settings: ModelSettings) -> None:
        self.settings = settings

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.settings.api_key}"} if self.settings.api_key else {}

    def _body(self, messages: list[dict[str, str]], *, stream: bool) -> dict[str, object]:
        return {"model": self.settings.model, "messages": messages, "temperature": 0, "stream": stream}

    async def write(
        self, question: str, evidence: Sequence[Passage], history: Sequence[tuple[str, str]]
    ) -> Written | None:
        body = self._body(messages_for(question, evidence, history), stream=False)
        try:
            async with self._session() as client:
                response = await client.post(self.settings.endpoint, json=body, headers=self._headers())
                response.raise_for_status()
                text = str(response.json()["choices"][0]["message"]["content"] or "")
        except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as err:
            log.warning("the answer model failed; the built-in engine answers", extra={"error": str(err)})
            return None
        return resolve_marks(text, evidence)

    async def stream(
        self, question: str, evidence: Sequence[Passage], history: Sequence[tuple[str, str]]
    ) -> AsyncIterator[str]:
        """The model's text as it comes; raises httpx.HTTPError or ValueError when it fails."""
        body = self._body(messages_for(question, evidence, history), stream=True)
        async with (
            self._session() as client,
            client.stream("POST", self.settings.endpoint, json=body, headers=self._headers()) as response,
        ):
            response.raise_for_status()
            async for line in response.aiter_lines():
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    return
                piece = json.loads(data)["choices"][0].get("delta", {}).get("content")
                if piece:
                    yield str(piece)

    def _session(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(timeout=self.settings.timeout)
