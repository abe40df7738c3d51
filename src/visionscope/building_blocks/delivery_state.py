"""What the database says about a batch of deliveries on a queue: which are done, which must wait.

One statement answers both, so a batch costs one round trip before its handlers run.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, Uuid, bindparam, cast, exists, func, literal, null, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from visionscope.building_blocks.outbox import DeadMessage, Envelope, InboxEntry, InboxKey, OutboxMessage
from visionscope.building_blocks.subscriptions import Subscriptions, queue_marker


@dataclass(frozen=True)
class DeliveryState:
    """``seen``: (consumer, event id) inbox entries of the queue's marker and handlers for the batch.
    ``earliest_unfinished``: per aggregate of the batch, the position of its earliest event outside
    the batch that is bound for the queue and neither done there nor parked; later events wait."""

    seen: set[InboxKey]
    earliest_unfinished: dict[str, int]

    def done(self, queue: str, envelope: Envelope) -> bool:
        return (queue_marker(queue), uuid.UUID(envelope["id"])) in self.seen

    def blocker(self, envelope: Envelope) -> str | None:
        """What an event waits for in the database (an earlier event of its aggregate), if anything."""
        earliest = self.earliest_unfinished.get(envelope["aggregate_id"])
        if earliest is not None and earliest < envelope["position"]:
            return f"position {earliest}"
        return None


@functools.cache
def _statement() -> Any:
    """Built once with bound parameters: building and compiling it for every batch cost more
    than running it."""
    seen = select(
        literal("seen").label("kind"),
        InboxEntry.consumer.label("name"),
        InboxEntry.event_id.label("event_id"),
        cast(null(), BigInteger).label("position"),
    ).where(
        InboxEntry.event_id.in_(bindparam("event_ids", expanding=True)),
        InboxEntry.consumer.in_(bindparam("names", expanding=True)),
    )
    waiting = (
        select(
            literal("wait").label("kind"),
            OutboxMessage.aggregate_id.label("name"),
            cast(null(), Uuid).label("event_id"),
            func.min(OutboxMessage.position).label("position"),
        )
        .where(
            OutboxMessage.aggregate_id.in_(bindparam("aggregates", expanding=True)),
            OutboxMessage.position < bindparam("before"),
            OutboxMessage.event_id.not_in(bindparam("event_ids", expanding=True)),
            OutboxMessage.type.in_(bindparam("types", expanding=True)),
            ~exists().where(
                InboxEntry.consumer == bindparam("marker"), InboxEntry.event_id == OutboxMessage.event_id
            ),
            ~exists().where(
                DeadMessage.event_id == OutboxMessage.event_id,
                DeadMessage.queue == bindparam("queue"),
                DeadMessage.replayed_at.is_(None),
            ),
        )
        .group_by(OutboxMessage.aggregate_id)
    )
    return union_all(seen, waiting)


async def delivery_state(
    session: AsyncSession, subscriptions: Subscriptions, queue: str, envelopes: Sequence[Envelope]
) -> DeliveryState:
    marker = queue_marker(queue)
    names = {marker}
    for envelope in envelopes:
        names.update(sub.consumer for sub in subscriptions.handlers(envelope["type"], queue))
    parameters = {
        "event_ids": [uuid.UUID(e["id"]) for e in envelopes],
        "names": sorted(names),
        "aggregates": sorted({e["aggregate_id"] for e in envelopes}),
        "before": max(e["position"] for e in envelopes),
        "types": sorted(subscriptions.types_on(queue)),
        "marker": marker,
        "queue": queue,
    }
    state = DeliveryState(set(), {})
    for kind, name, event_id, position in await session.execute(_statement(), parameters):
        if kind == "seen":
            state.seen.add((name, event_id if isinstance(event_id, uuid.UUID) else uuid.UUID(str(event_id))))
        else:
            state.earliest_unfinished[name] = int(position)
    return state
