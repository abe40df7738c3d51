"""Subscriptions: which handlers run for which events, on which queue."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass

from visionscope.building_blocks.messages import Event
from visionscope.building_blocks.uow import UnitOfWork

QUEUES = ("billing", "video_processing", "notifications", "analytics")

EventHandler = Callable[[Event, UnitOfWork], Awaitable[None]]
BatchEventHandler = Callable[[Sequence[Event], UnitOfWork], Awaitable[None]]


@dataclass(frozen=True)
class EventContext:
    """What a long-running handler knows of the delivery: who caused the event, in which request."""

    request_id: str | None
    actor_id: uuid.UUID | None
    unit_of_work: Callable[[], UnitOfWork]


LongRunningHandler = Callable[[Event, EventContext], Awaitable[None]]


@dataclass(frozen=True)
class Subscription:
    """``handler`` runs for every ``event_type`` on ``queue``; ``consumer`` names it in the inbox.

    The handler's effect and its inbox entry are committed in one transaction, so it runs once.

    ``handle_many``, when given, does for several events at once what ``handler`` does for each
    (a count folded in one statement instead of one per event); consumers use it for the events
    of a batch handled in one transaction. It must record no events, and its effect must not
    depend on the order of its events nor on other handlers' effects in the same batch. When a
    batch is handled again event by event (after a failure), ``handler`` runs.
    """

    event_type: type[Event]
    queue: str
    consumer: str
    handler: EventHandler
    handle_many: BatchEventHandler | None = None


@dataclass(frozen=True)
class LongRunningSubscription:
    """A handler that works for minutes (a video analysis) and must not hold a transaction open.

    It gets an ``EventContext`` and commits its own short transactions; it must be
    idempotent by itself (a lease on the aggregate, resumable stages). Its inbox entry is
    written when it returns, so a delivery cut short by a crash is handled again.
    """

    event_type: type[Event]
    queue: str
    consumer: str
    handler: LongRunningHandler


AnySubscription = Subscription | LongRunningSubscription


class Subscriptions:
    """Which handlers run for which event type, and so to which queues an event goes."""

    def __init__(self, subscriptions: Iterable[AnySubscription]) -> None:
        self._by_type_queue: dict[tuple[str, str], list[AnySubscription]] = defaultdict(list)
        self._queues_by_type: dict[str, list[str]] = defaultdict(list)
        self._types_by_queue: dict[str, set[str]] = defaultdict(set)
        self._long_running: set[tuple[str, str]] = set()
        consumers: set[tuple[str, str]] = set()
        for sub in subscriptions:
            if sub.queue not in QUEUES:
                raise ValueError(f"unknown queue {sub.queue!r} for {sub.consumer}")
            name = sub.event_type.__name__
            if (sub.consumer, name) in consumers:
                raise ValueError(f"{sub.consumer} subscribes to {name} twice")
            consumers.add((sub.consumer, name))
            self._by_type_queue[(name, sub.queue)].append(sub)
            if sub.queue not in self._queues_by_type[name]:
                self._queues_by_type[name].append(sub.queue)
            self._types_by_queue[sub.queue].add(name)
            if isinstance(sub, LongRunningSubscription):
                self._long_running.add((name, sub.queue))

    def queues_for(self, event_type: str) -> list[str]:
        return list(self._queues_by_type.get(event_type, ()))

    def handlers(self, event_type: str, queue: str) -> list[AnySubscription]:
        return list(self._by_type_queue.get((event_type, queue), ()))

    def types_on(self, queue: str) -> set[str]:
        return set(self._types_by_queue.get(queue, ()))

    def is_long_running(self, event_type: str, queue: str) -> bool:
        """Whether a handler of ``event_type`` on ``queue`` works for minutes (a delivery of its own)."""
        return (event_type, queue) in self._long_running


def queue_marker(queue: str) -> str:
    """The inbox consumer name that says every handler of ``queue`` is done with an event."""
    return f"queue:{queue}"
