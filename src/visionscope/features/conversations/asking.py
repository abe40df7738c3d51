"""Answering a message in three steps: read what is needed (a query that refuses early), let the
engine answer outside any transaction, then record the answer and charge for it (one command).

The engine's work (and a model's, which may take seconds) never holds a database transaction.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import anyio

from visionscope.building_blocks.errors import DomainError
from visionscope.building_blocks.mediator import Context, Mediator
from visionscope.building_blocks.messages import acting_user
from visionscope.features.conversations.answers.engine import Answer, AnswerEngine
from visionscope.features.conversations.answers.writers import Retract
from visionscope.features.conversations.answers.writing import pieces_of
from visionscope.features.conversations.commands import (
    AnswerToRecord,
    CreditHold,
    HoldCompletionCredit,
    RecordAnswer,
    SettleCompletionCredit,
)
from visionscope.features.conversations.completion_credits import request_digest
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
    mediator: Mediator,
    ctx: Context,
    context: AnswerContext,
    question: str,
    answer: Answer,
    hold: CreditHold | None = None,
) -> MessageRead:
    return await mediator.send(
        RecordAnswer(
            conversation_id=context.conversation_id,
            question=question,
            answer=to_record(answer),
            author_id=acting_user(ctx.actor),
            idempotency_key=ctx.idempotency_key,
            hold_key=hold.key if hold else None,
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
    # A credit is held before the first piece is sent, so that answers streamed at once cannot all
    # pass the credit check and all be read before the last of them is refused its charge.
    hold = None if context.replay is not None else await _hold(mediator, ctx, context, question)

    async def events() -> AsyncIterator[str]:
        recorded = False
        try:
            async for event in _answer_events(mediator, ctx, engine, context, question, hold):
                recorded = recorded or event.startswith("event: message")
                yield event
        finally:
            if hold is not None and not recorded:
                with anyio.CancelScope(shield=True):  # a client that went away gets its credit back
                    await mediator.send(_give_back(context, hold), ctx)

    return events()


async def _hold(mediator: Mediator, ctx: Context, context: AnswerContext, question: str) -> CreditHold:
    return await mediator.send(
        HoldCompletionCredit(
            workspace_id=context.subjects.workspace_id,
            project_id=context.subjects.project_id,
            user_id=acting_user(ctx.actor),
            digest=request_digest(str(context.conversation_id), question),
        ),
        ctx,
    )


def _give_back(context: AnswerContext, hold: CreditHold) -> SettleCompletionCredit:
    return SettleCompletionCredit(
        workspace_id=context.subjects.workspace_id,
        project_id=context.subjects.project_id,
        hold_key=hold.key,
        delivered=False,
    )


async def _answer_events(
    mediator: Mediator,
    ctx: Context,
    engine: AnswerEngine,
    context: AnswerContext,
    question: str,
    hold: CreditHold | None,
) -> AsyncIterator[str]:
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
            message = await _record(mediator, ctx, context, question, item, hold)
        except DomainError as err:
            yield server_event("error", err.problem())
            return
        yield server_event("message", message.model_dump(mode="json"))
