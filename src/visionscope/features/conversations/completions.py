"""OpenAI-compatible chat completions over a video (`model: "video:<id>"`) or a project
(`"project:<id>"`), so that existing clients and chat front ends can talk to videos.

Stateless like the OpenAI API: the earlier messages of the request are the conversation's memory
(an earlier answer's "[mm:ss]" marks are its moments). Each completion holds one chat_message
before it is answered, captured when the answer is delivered and given back when it is not. With an
Idempotency-Key, the response delivered is kept: the same request again gets it back (the same body,
streamed the same way), neither answered nor charged a second time.
"""

from __future__ import annotations

import itertools
import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

import anyio
from pydantic import BaseModel, ConfigDict, Field, model_validator

from visionscope.building_blocks.errors import DomainError, InvalidInput, NotFound
from visionscope.building_blocks.mediator import Context, Mediator
from visionscope.building_blocks.messages import acting_user
from visionscope.features.conversations.answers.engine import Answer, AnswerEngine
from visionscope.features.conversations.answers.writers import Retract
from visionscope.features.conversations.commands import (
    CreditHold,
    HoldCompletionCredit,
    SettleCompletionCredit,
)
from visionscope.features.conversations.completion_credits import request_digest
from visionscope.features.conversations.context import check_question
from visionscope.features.conversations.queries import GetProjectSubjects, GetVideoSubjects, Subjects

# Every message of the history is read and matched, not only the last: each is capped, and so is
# the whole history (an earlier answer is at most a few thousand characters).
MAX_MESSAGE_CHARS = 20_000
MAX_HISTORY_CHARS = 100_000


class ChatMessageIn(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Annotated[str, Field(min_length=1, max_length=20)]
    content: str | Annotated[list[dict[str, Any]], Field(max_length=50)] | None = None

    @model_validator(mode="after")
    def _short_enough(self) -> ChatMessageIn:
        if len(text_of(self)) > MAX_MESSAGE_CHARS:
            raise ValueError(f"a message is at most {MAX_MESSAGE_CHARS} characters")
        return self


class ChatRequest(BaseModel):
    """The OpenAI request shape; sampling options (temperature, max_tokens...) are accepted and ignored."""

    model_config = ConfigDict(extra="allow")
    model: Annotated[str, Field(min_length=1, max_length=200, examples=["video:<id>", "project:<id>"])]
    messages: Annotated[list[ChatMessageIn], Field(min_length=1, max_length=500)]
    stream: bool = False

    @model_validator(mode="after")
    def _history_short_enough(self) -> ChatRequest:
        if sum(len(text_of(m)) for m in self.messages) > MAX_HISTORY_CHARS:
            raise ValueError(f"the messages together are at most {MAX_HISTORY_CHARS} characters")
        return self


def text_of(message: ChatMessageIn) -> str:
    if isinstance(message.content, str):
        return message.content
    parts = message.content or []
    return " ".join(str(p.get("text", "")) for p in parts if p.get("type") == "text")


def subject_of(model: str) -> tuple[str, uuid.UUID]:
    kind, _, ident = model.partition(":")
    try:
        if kind in ("video", "project"):
            return kind, uuid.UUID(ident)
    except ValueError:
        pass
    raise NotFound(f"There is no model {model!r}: use video:<video id> or project:<project id>.", model=model)


def _exchanges(request: ChatRequest) -> tuple[str, list[tuple[str, str]]]:
    """The last user message, and the (question, answer) pairs before it."""
    turns = [(m.role, text_of(m).strip()) for m in request.messages if m.role in ("user", "assistant")]
    if not turns or turns[-1][0] != "user" or not turns[-1][1]:
        raise InvalidInput(
            "The last message must be a question from the user.",
            errors=[{"field": "messages", "message": "no user question at the end"}],
        )
    pairs = [
        (asked, answered)
        for (r1, asked), (r2, answered) in itertools.pairwise(turns[:-1])
        if r1 == "user" and r2 == "assistant"
    ]
    return turns[-1][1], pairs


def _citations(answer: Answer) -> list[dict[str, Any]]:
    return [
        {"video_id": str(c.video_id), "start": c.start, "end": c.end, "source": c.source, "quote": c.quote}
        for c in answer.citations
    ]


def _tokens(text: str) -> int:
    return max(1, len(text.split()))


class Completion:
    """One chat completion: its scope resolved and checked, then answered whole or streamed."""

    def __init__(self, mediator: Mediator, ctx: Context, engine: AnswerEngine, request: ChatRequest) -> None:
        self.mediator, self.ctx, self.engine, self.request = mediator, ctx, engine, request
        self.id = f"chatcmpl-{uuid.uuid4().hex}"
        self.created = int(time.time())

    async def _scope(self) -> tuple[Subjects, str, list[tuple[str, str]]]:
        kind, ident = subject_of(self.request.model)
        question, pairs = _exchanges(self.request)
        check_question(question)
        query = GetVideoSubjects(video_id=ident) if kind == "video" else GetProjectSubjects(project_id=ident)
        scope = await self.mediator.send(query, self.ctx)
        return scope, question, pairs

    async def _hold(self, scope: Subjects) -> CreditHold:
        """One credit held before anything is answered; a key reused for another request (another
        question, or the same one streamed instead of whole): 409."""
        asked = [(m.role, text_of(m)) for m in self.request.messages]
        return await self.mediator.send(
            HoldCompletionCredit(
                workspace_id=scope.workspace_id,
                project_id=scope.project_id,
                user_id=acting_user(self.ctx.actor),
                digest=request_digest(self.request.model, self.request.stream, asked),
                idempotency_key=self.ctx.idempotency_key,
            ),
            self.ctx,
        )

    async def _settle(
        self, scope: Subjects, hold: CreditHold, answer: Answer | None, reply: dict[str, Any] | None = None
    ) -> None:
        """Capture the credit of a delivered answer with its ``reply``, kept when the request has an
        idempotency key; give the credit back when nothing was delivered."""
        command = SettleCompletionCredit(
            workspace_id=scope.workspace_id,
            project_id=scope.project_id,
            hold_key=hold.key,
            delivered=answer is not None,
            grounded=answer.grounded if answer else False,
            engine=answer.engine if answer else "",
            citations=len(answer.citations) if answer else 0,
            reply=reply if self.ctx.idempotency_key else None,
        )
        with anyio.CancelScope(shield=True):  # a client that went away still gets its credit back
            await self.mediator.send(command, self.ctx)

    def _extra(self, answer: Answer) -> dict[str, Any]:
        return {"citations": _citations(answer), "grounded": answer.grounded, "engine": answer.engine}

    async def whole(self) -> dict[str, Any]:
        scope, question, pairs = await self._scope()
        hold = await self._hold(scope)
        if hold.replay is not None:
            return hold.replay
        try:
            history = await self.engine.recall(scope.subjects, pairs)
            answer = await self.engine.answer(question, scope.subjects, history, pairs)
        except BaseException:
            await self._settle(scope, hold, None)
            raise
        body = self._body(answer)
        await self._settle(scope, hold, answer, body)
        return body

    def _body(self, answer: Answer) -> dict[str, Any]:
        prompt = sum(_tokens(text_of(m)) for m in self.request.messages)
        completion = _tokens(answer.content)
        return {
            "id": self.id,
            "object": "chat.completion",
            "created": self.created,
            "model": self.request.model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": answer.content},
                    "finish_reason": "stop",
                }
            ],
            "usage": {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
            },
            **self._extra(answer),
        }

    def _chunk(self, delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        body = {
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.request.model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            **extra,
        }
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

    async def streamed(self) -> AsyncIterator[str]:
        """Checks run before the first byte (errors are plain HTTP errors); then OpenAI chunks."""
        scope, question, pairs = await self._scope()
        hold = await self._hold(scope)
        if hold.replay is not None:
            return self._streamed_again(hold.replay)
        try:
            history = await self.engine.recall(scope.subjects, pairs)
        except BaseException:
            await self._settle(scope, hold, None)
            raise

        async def chunks() -> AsyncIterator[str]:
            settled = False
            sent: list[Any] = []  # each chunk's delta, finish reason and extra fields, kept for replays

            def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
                sent.append([delta, finish, extra])
                return self._chunk(delta, finish, **extra)

            try:
                yield chunk({"role": "assistant", "content": ""})
                retracted = False
                async for item in self.engine.stream(question, scope.subjects, history, pairs):
                    if isinstance(item, str):
                        yield chunk({"content": item})
                        continue
                    if isinstance(item, Retract):
                        # OpenAI chunks cannot take text back: say so in the stream, the final chunk's
                        # `final_content` is the answer to keep
                        retracted = True
                        yield chunk({"content": "\n\n"}, retracted=item.reason)
                        continue
                    last = chunk(
                        {}, "stop", **self._extra(item), final_content=item.content, replaced=retracted
                    )
                    try:
                        await self._settle(scope, hold, item, self._stream_reply(sent))
                    except DomainError as err:
                        yield f"data: {json.dumps({'error': err.problem()})}\n\n"
                        return
                    finally:
                        settled = True
                    yield last
                yield "data: [DONE]\n\n"
            finally:
                if not settled:
                    await self._settle(scope, hold, None)

        return chunks()

    def _stream_reply(self, sent: list[Any]) -> dict[str, Any]:
        return {"id": self.id, "created": self.created, "chunks": sent}

    def _streamed_again(self, reply: dict[str, Any]) -> AsyncIterator[str]:
        """What the first stream with this key sent, chunk for chunk."""
        self.id, self.created = reply["id"], reply["created"]

        async def chunks() -> AsyncIterator[str]:
            for delta, finish, extra in reply["chunks"]:
                yield self._chunk(delta, finish, **extra)
            yield "data: [DONE]\n\n"

        return chunks()
