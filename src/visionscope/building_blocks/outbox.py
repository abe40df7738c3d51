"""Outbox, inbox and dead-message tables, and how events become rows and back."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any, TypedDict, cast

from pydantic import TypeAdapter
from sqlalchemy import (
    BigInteger,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from visionscope.building_blocks.db import Base, dialect_name, utcnow
from visionscope.building_blocks.messages import Event

BIGINT_PK = BigInteger().with_variant(Integer(), "sqlite")
OUTBOX_CHANNEL = "visionscope_outbox"  # PostgreSQL notifications: a transaction with events committed


class OutboxMessage(Base):
    """An event written in the transaction that caused it; kept after sending as the audit log."""

    __tablename__ = "outbox_messages"

    position: Mapped[int] = mapped_column(BIGINT_PK, primary_key=True, autoincrement=True)
    event_id: Mapped[uuid.UUID] = mapped_column(unique=True)
    type: Mapped[str] = mapped_column(String(100))
    aggregate_id: Mapped[str] = mapped_column(String(64))
    workspace_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    actor_id: Mapped[uuid.UUID | None]
    request_id: Mapped[str | None] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]]
    occurred_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    __table_args__ = (
        Index(
            "ix_outbox_messages_unsent",
            "position",
            postgresql_where=text("sent_at IS NULL"),
            sqlite_where=text("sent_at IS NULL"),
        ),
        Index("ix_outbox_messages_aggregate", "aggregate_id", "position"),
    )


class InboxEntry(Base):
    """A consumer handled an event. Written in the same transaction as the handler's effect."""

    __tablename__ = "inbox"

    id: Mapped[int] = mapped_column(BIGINT_PK, primary_key=True, autoincrement=True)
    consumer: Mapped[str] = mapped_column(String(120))
    event_id: Mapped[uuid.UUID]
    handled_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("consumer", "event_id"),)


class DeadMessage(Base):
    """An event whose handler kept failing; kept for operators to inspect and replay."""

    __tablename__ = "dead_messages"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    event_id: Mapped[uuid.UUID] = mapped_column(index=True)
    event_type: Mapped[str] = mapped_column(String(100))
    queue: Mapped[str] = mapped_column(String(40))
    consumer: Mapped[str] = mapped_column(String(120))
    error: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int]
    failed_at: Mapped[datetime] = mapped_column(default=utcnow)
    replayed_at: Mapped[datetime | None]


class Envelope(TypedDict):
    """What travels over the broker: an outbox row in JSON."""

    id: str
    type: str
    position: int
    aggregate_id: str
    workspace_id: str | None
    actor_id: str | None
    request_id: str | None
    occurred_at: str
    payload: dict[str, Any]


_ADAPTERS: dict[type[Event], TypeAdapter[Any]] = {}


def _adapter(event_type: type[Event]) -> TypeAdapter[Any]:
    adapter = _ADAPTERS.get(event_type)
    if adapter is None:
        adapter = _ADAPTERS[event_type] = TypeAdapter(event_type)
    return adapter


def event_payload(event: Event) -> dict[str, Any]:
    payload: dict[str, Any] = _adapter(type(event)).dump_python(event, mode="json")
    return payload


def outbox_values(event: Event, *, actor_id: uuid.UUID | None, request_id: str | None) -> dict[str, Any]:
    """An outbox row's columns for an event (its position and times are given when it is inserted)."""
    return {
        "event_id": event.event_id,
        "type": type(event).__name__,
        "aggregate_id": event.aggregate_id,
        "workspace_id": event.workspace,
        "actor_id": actor_id,
        "request_id": request_id,
        "payload": event_payload(event),
        "occurred_at": event.occurred_at,
    }


_OUTBOX_INSERTS: dict[str, Any] = {}


async def insert_outbox(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Insert outbox rows in the order given, in one statement. On PostgreSQL the same statement
    notifies relays listening on ``OUTBOX_CHANNEL`` (delivered when the transaction commits; the
    notifications of one transaction are folded into one): no round trip of its own."""
    if not rows:
        return
    dialect = dialect_name(session)
    statement = _OUTBOX_INSERTS.get(dialect)
    if statement is None:
        statement = insert(cast(Table, OutboxMessage.__table__))
        if dialect == "postgresql":
            statement = statement.returning(func.pg_notify(OUTBOX_CHANNEL, ""))
        _OUTBOX_INSERTS[dialect] = statement
    created = utcnow()
    await session.execute(statement, [{**row, "created_at": created} for row in rows])


def envelope_of(row: OutboxMessage) -> Envelope:
    return Envelope(
        id=str(row.event_id),
        type=row.type,
        position=row.position,
        aggregate_id=row.aggregate_id,
        workspace_id=str(row.workspace_id) if row.workspace_id else None,
        actor_id=str(row.actor_id) if row.actor_id else None,
        request_id=row.request_id,
        occurred_at=row.occurred_at.isoformat(),
        payload=row.payload,
    )


class EventTypes:
    """The event classes the product knows, by type name, for reading envelopes back."""

    def __init__(self, events: Iterable[type[Event]]) -> None:
        self._by_name: dict[str, type[Event]] = {}
        for event_type in events:
            name = event_type.__name__
            if name in self._by_name:
                raise ValueError(f"two event classes are named {name}")
            self._by_name[name] = event_type

    def __contains__(self, name: str) -> bool:
        return name in self._by_name

    def decode(self, envelope: Envelope) -> Event:
        event_type = self._by_name[envelope["type"]]
        decoded: Event = _adapter(event_type).validate_python(envelope["payload"])
        return decoded


InboxKey = tuple[str, uuid.UUID]  # (consumer, event id)


def _insert_ignoring_duplicates(session: AsyncSession) -> Any:
    """INSERT inbox entries, skipping one that exists. On PostgreSQL an entry a concurrent
    delivery is inserting waits for that transaction, and is skipped if it commits. One
    statement text whatever the number of entries: compiled once, sent as one multi-row insert."""
    insert = pg_insert if dialect_name(session) == "postgresql" else sqlite_insert
    table = cast(Table, InboxEntry.__table__)
    return insert(table).on_conflict_do_nothing(index_elements=["consumer", "event_id"])


def _rows(entries: list[InboxKey]) -> list[dict[str, Any]]:
    now = utcnow()
    return [{"consumer": consumer, "event_id": event_id, "handled_at": now} for consumer, event_id in entries]


_CLAIMS: dict[str, Any] = {}


async def claim_inbox(session: AsyncSession, entries: list[InboxKey]) -> set[InboxKey]:
    """Insert inbox entries; returns those this transaction inserted (the others existed)."""
    if not entries:
        return set()
    dialect = dialect_name(session)
    statement = _CLAIMS.get(dialect)
    if statement is None:
        returning = _insert_ignoring_duplicates(session).returning(InboxEntry.consumer, InboxEntry.event_id)
        statement = _CLAIMS[dialect] = returning
    rows = await session.execute(statement, _rows(entries))
    return {(consumer, event_id) for consumer, event_id in rows}


async def insert_inbox(session: AsyncSession, entries: list[InboxKey]) -> None:
    """Insert inbox entries, skipping those that exist."""
    if entries:
        await session.execute(_insert_ignoring_duplicates(session), _rows(entries))


async def in_inbox(session: AsyncSession, consumer: str, event_id: uuid.UUID) -> bool:
    found = await session.scalar(
        select(InboxEntry.id).where(InboxEntry.consumer == consumer, InboxEntry.event_id == event_id)
    )
    return found is not None
