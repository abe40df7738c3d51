"""A chat completion's credit: held before the answer is written, captured once it is delivered,
given back when it is not. An idempotency key stays tied to the request it first came with, and the
response delivered is kept with the capture: the same request again gets it back, unpaid and
unanswered a second time.

Holding first means that concurrent completions cannot all pass a credit check and all be answered:
the pool refuses the holds it cannot cover (402) before any answer is written.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select

from visionscope.building_blocks.errors import Conflict
from visionscope.building_blocks.uow import UnitOfWork
from visionscope.features.billing.public import Metered, capture_credits, release_credits, reserve_credits
from visionscope.features.conversations.commands import (
    CHAT,
    CreditHold,
    HoldCompletionCredit,
    SettleCompletionCredit,
)
from visionscope.features.conversations.events import QuestionAnswered
from visionscope.features.conversations.models import CompletionReply

REUSED = "This idempotency key was already used for a different request."


def request_digest(*parts: Any) -> str:
    """A short fingerprint of what a request asks, to tie an idempotency key to it."""
    canonical = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


async def hold(uow: UnitOfWork, cmd: HoldCompletionCredit, now: datetime) -> CreditHold:
    given = cmd.idempotency_key
    key = f"{CHAT}:completion:{given}" if given else f"{CHAT}:completion:{uuid.uuid4()}"
    operation = f"chat_completion:{cmd.digest}"
    usage = await reserve_credits(
        uow,
        Metered(
            workspace_id=cmd.workspace_id,
            feature=CHAT,
            quantity=1,
            idempotency_key=key,
            operation=operation,
            user_id=cmd.user_id,
            project_id=cmd.project_id,
        ),
        now=now,
    )
    if usage.operation != operation:
        raise Conflict(REUSED, idempotency_key=given)
    if usage.created_at == now:  # made by this request, not found from an earlier one
        return CreditHold(key=key)
    if usage.state == "captured":
        replay = await _kept_reply(uow, cmd.workspace_id, key)
        if replay is None:
            raise Conflict(
                "The response to the request first sent with this idempotency key is not kept; "
                "send it with a new key.",
                idempotency_key=given,
            )
        return CreditHold(key=key, replay=replay)
    if usage.state == "reserved":
        raise Conflict("A request with this key is in progress; try again.", idempotency_key=given)
    raise Conflict(
        "The request first sent with this idempotency key was not answered; send it with a new key.",
        idempotency_key=given,
    )


async def settle(uow: UnitOfWork, cmd: SettleCompletionCredit, now: datetime) -> None:
    if not cmd.delivered:
        await release_credits(uow, cmd.workspace_id, cmd.hold_key, now=now)
        return
    await capture_credits(uow, cmd.workspace_id, cmd.hold_key, 1, now=now)
    if cmd.reply is not None:
        uow.session.add(
            CompletionReply(
                workspace_id=cmd.workspace_id, credit_key=cmd.hold_key, body=cmd.reply, created_at=now
            )
        )
    uow.record(
        QuestionAnswered(
            workspace_id=cmd.workspace_id,
            project_id=cmd.project_id,
            conversation_id=None,
            message_id=None,
            grounded=cmd.grounded,
            engine=cmd.engine,
            citations=cmd.citations,
        )
    )


async def _kept_reply(uow: UnitOfWork, workspace_id: uuid.UUID, key: str) -> dict[str, Any] | None:
    statement = select(CompletionReply.body).where(
        CompletionReply.workspace_id == workspace_id, CompletionReply.credit_key == key
    )
    body: dict[str, Any] | None = (await uow.session.execute(statement)).scalar_one_or_none()
    return body
