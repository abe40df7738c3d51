"""The unit of work: one session, one transaction, the events it caused written as outbox rows."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Awaitable, Callable, Sequence
from types import TracebackType
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import object_session

from visionscope.building_blocks.messages import Event
from visionscope.building_blocks.outbox import insert_outbox, outbox_values
from visionscope.building_blocks.read_your_writes import note_write

_RECORDERS = "visionscope_event_recorders"
_recording_order = itertools.count()

AfterCommit = Callable[[Sequence[Event]], Awaitable[None]]


class RecordsEvents:
    """Mixin for aggregates: their methods record events that the unit of work collects."""

    def record(self, event: Event) -> None:
        pending: list[tuple[int, Event]] = self.__dict__.setdefault("_pending_events", [])
        pending.append((next(_recording_order), event))
        session = object_session(self)
        if session is not None:
            # The identity map holds objects weakly: keep this one alive until the commit collects it.
            session.info.setdefault(_RECORDERS, []).append(self)

    def pull_events(self) -> list[tuple[int, Event]]:
        pending: list[tuple[int, Event]] = self.__dict__.pop("_pending_events", [])
        return pending


class UnitOfWork:
    """``async with uow: ...; await uow.commit()`` — leaving without commit rolls back."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        actor_id: uuid.UUID | None = None,
        request_id: str | None = None,
        on_events_committed: Callable[[], None] | None = None,
        after_commit: AfterCommit | None = None,
    ) -> None:
        self._sessions = sessions
        self._session: AsyncSession | None = None
        self._events: list[tuple[int, Event]] = []
        self.actor_id = actor_id
        self.request_id = request_id
        self._on_events_committed = on_events_committed
        self._after_commit = after_commit
        self._staged: list[Event] = []
        self._rows: list[dict[str, Any]] = []
        self.committed_events: list[Event] = []

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("the unit of work is not open")
        return self._session

    async def __aenter__(self) -> UnitOfWork:
        self._session = self._sessions()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        session = self.session
        try:
            await session.rollback()
        finally:
            await session.close()
            self._session = None
            self._staged = []
            self._rows = []

    def record(self, event: Event) -> None:
        """Record an event that belongs to no loaded aggregate."""
        self._events.append((next(_recording_order), event))

    def _collect_events(self) -> list[Event]:
        session = self.session
        found = list(self._events)
        self._events.clear()
        seen: set[int] = set()
        recorders = session.info.pop(_RECORDERS, [])
        for obj in itertools.chain(recorders, session.new, session.identity_map.values()):
            if isinstance(obj, RecordsEvents) and id(obj) not in seen:
                seen.add(id(obj))
                found.extend(obj.pull_events())
        found.sort(key=lambda pair: pair[0])
        return [event for _, event in found]

    async def flush(self) -> None:
        await self.session.flush()

    def stage_events(self) -> None:
        """Write the events recorded so far as outbox rows under the current actor and request id.

        A consumer handling several events in one transaction stages each event's effects with
        the actor and request id of the event that caused them.
        """
        events = self._collect_events()
        self._rows.extend(
            outbox_values(e, actor_id=self.actor_id, request_id=self.request_id) for e in events
        )
        self._staged.extend(events)

    def discard_events(self) -> list[Event]:
        """Forget events recorded since the last stage (their changes were rolled back); returns them."""
        return self._collect_events()

    async def commit(self) -> None:
        session = self.session
        self.stage_events()
        events, self._staged = self._staged, []
        rows, self._rows = self._rows, []
        await insert_outbox(session, rows)  # after the changes are flushed, so last in the transaction
        await session.commit()
        note_write()
        self.committed_events = events
        if events and self._on_events_committed is not None:
            self._on_events_committed()
        if events and self._after_commit is not None:
            await self._after_commit(events)  # caches drop what these events changed, before anyone reads
