"""Answering a message in three steps: read what is needed (a query that refuses early), let the
engine answer outside any transaction, then record the answer and charge for it (one command).

The engine's work (and a model's, which may take seconds) never holds a database transaction.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

from visionscope.building_blocks.errors import DomainError
from visionscope.building_blocks.mediator import Context, Mediator
from visionscope.building_blocks.messages import acting_user
from visionscope.features.conversations.answers.engine import Answer, AnswerEngine, pieces_of
from visionscope.features.conversations.answers.writers import Retract
from visionscope.features.conversations.commands import AnswerToRecord, RecordAnswer
from visionscope.features.conversations.queries import AnswerContext, GetAnswerContext
from visionscope.features.conversations.schemas import MessageRead


def server_event(kind: str, data: Any) -> str:
    return f"event: {kind}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def to_record(answer: Answer) -> AnswerToRecord:
    return AnswerToRecord(
        content=answer.content,
        grounded=answer.grounded,
        engine=answer.engine,
        citations=answer.citations,
        memory=answer.turn.to_dict(),
    )


async def prepare(
    mediator: Mediator, ctx: Context, conversation_id: uuid.UUID, question: str
) -> AnswerContext:
    return await mediator.send(
        GetAnswerContext(
            conversation_id=conversation_id, question=question, idempotency_key=ctx.idempotency_key
        ),
        ctx,
    )


async def _record(
    mediator: Mediator, ctx: Context, context: AnswerContext, question: str, answer: Answer
) -> MessageRead:
    return await mediator.send(
        RecordAnswer(
            conversation_id=context.conversation_id,
            question=question,
            answer=to_record(answer),
            author_id=acting_user(ctx.actor),
            idempotency_key=ctx.idempotency_key,
        ),
        ctx,
    )


async def ask(
    mediator: Mediator, ctx: Context, engine: AnswerEngine, conversation_id: uuid.UUID, question: str
) -> MessageRead:
    context = await prepare(mediator, ctx, conversation_id, question)
    if context.replay is not None:
        return context.replay
    answer = await engine.answer(question, context.subjects.subjects, context.history, context.exchanges)
    return await _record(mediator, ctx, context, question, answer)


async def ask_streaming(
    mediator: Mediator, ctx: Context, engine: AnswerEngine, conversation_id: uuid.UUID, question: str
) -> AsyncIterator[str]:
    """Server-sent events: `delta` events with pieces of the answer as they are written, `reset`
    when the text sent so far is withdrawn (a model's answer the check rejected: the deltas that
    follow replace it), then `message` with the stored answer and its citations (its content is the
    one to keep), or `error` with a problem."""
    context = await prepare(mediator, ctx, conversation_id, question)

    async def events() -> AsyncIterator[str]:
        if context.replay is not None:
            for piece in pieces_of(context.replay.content):
                yield server_event("delta", {"content": piece})
            yield server_event("message", context.replay.model_dump(mode="json"))
            return
        stream = engine.stream(question, context.subjects.subjects, context.history, context.exchanges)
        async for item in stream:
            if isinstance(item, str):
                yield server_event("delta", {"content": item})
                continue
            if isinstance(item, Retract):
                yield server_event("reset", {"reason": item.reason})
                continue
            try:
                message = await _record(mediator, ctx, context, question, item)
            except DomainError as err:
                yield server_event("error", err.problem())
                return
            yield server_event("message", message.model_dump(mode="json"))

    return events()
