"""Transports for events: Celery over Redis (distributed) or asyncio queues (embedded)."""

from __future__ import annotations

import asyncio
import logging
import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from visionscope.building_blocks.consumers import QUEUES, Consumer, Subscriptions
from visionscope.building_blocks.metrics import Metrics
from visionscope.building_blocks.outbox import Envelope
from visionscope.building_blocks.relay import Delivery

log = logging.getLogger("visionscope.transport")

CONSUME_TASK = "visionscope.consume"
CONSUME_BATCH_TASK = "visionscope.consume_batch"
# Deliveries of one queue travel together, up to this many in a message.
MAX_BATCH = 500


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter for failures; short steady waits for out-of-order events."""

    max_failures: int = 5
    base_delay: float = 2.0
    max_delay: float = 300.0
    order_delay: float = 0.2
    max_order_waits: int = 600
    unavailable_delay: float = 2.0

    def failure_delay(self, failures: int) -> float:
        delay: float = min(self.max_delay, self.base_delay * 2 ** max(0, failures - 1))
        return delay * random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not security


@dataclass
class Attempt:
    """A delivery and how often it failed or waited for an earlier event so far."""

    envelope: Envelope
    failures: int = 0
    order_waits: int = 0

    def to_message(self) -> list[Any]:
        return [self.envelope, self.failures, self.order_waits]

    @classmethod
    def from_message(cls, item: Sequence[Any]) -> Attempt:
        return cls(item[0], int(item[1]), int(item[2]))


Retry = Callable[[list[tuple[Attempt, float]]], None]


def batches(
    deliveries: Sequence[Delivery], subscriptions: Subscriptions | None
) -> list[tuple[str, list[Envelope]]]:
    """Group deliveries per queue, in order; an event with a long-running handler travels alone so
    that several workers can take several such events at once."""
    grouped: dict[str, list[Envelope]] = defaultdict(list)
    alone: list[tuple[str, list[Envelope]]] = []
    for envelope, queue in deliveries:
        if subscriptions is not None and subscriptions.is_long_running(envelope["type"], queue):
            alone.append((queue, [envelope]))
        else:
            grouped[queue].append(envelope)
    together = [
        (queue, envelopes[start : start + MAX_BATCH])
        for queue, envelopes in grouped.items()
        for start in range(0, len(envelopes), MAX_BATCH)
    ]
    return together + alone


class CeleryPublisher:
    """Sends the deliveries of each queue as one Celery message carrying the batch of events."""

    def __init__(self, celery_app: Any, subscriptions: Subscriptions | None = None) -> None:
        self._app = celery_app
        self.subscriptions = subscriptions

    def _send(self, deliveries: Sequence[Delivery]) -> None:
        with self._app.producer_or_acquire() as producer:
            for queue, envelopes in batches(deliveries, self.subscriptions):
                items = [Attempt(envelope).to_message() for envelope in envelopes]
                self._app.send_task(
                    CONSUME_BATCH_TASK,
                    args=[items, queue],
                    queue=queue,
                    task_id=f"{envelopes[0]['id']}:{queue}:{len(items)}",
                    producer=producer,
                )

    def send_later(self, queue: str, attempts: list[tuple[Attempt, float]]) -> None:
        """Publish deliveries again after their delays (retries), those with the same delay together."""
        by_delay: dict[float, list[Attempt]] = defaultdict(list)
        for attempt, delay in attempts:
            by_delay[round(delay, 1)].append(attempt)
        for delay, group in by_delay.items():
            for _, envelopes in batches([(a.envelope, queue) for a in group], self.subscriptions):
                wanted = {e["id"] for e in envelopes}
                items = [a.to_message() for a in group if a.envelope["id"] in wanted]
                self._app.send_task(CONSUME_BATCH_TASK, args=[items, queue], queue=queue, countdown=delay)

    async def publish(self, deliveries: Sequence[Delivery]) -> None:
        await asyncio.to_thread(self._send, deliveries)


@dataclass
class InProcessBroker:
    """The embedded transport: one asyncio queue and worker per queue name, in the api process.

    A worker takes everything waiting in its queue (up to ``MAX_BATCH``) and hands it to the
    consumer as one batch. Nothing is lost on a crash: the relay's sweep publishes again what
    was sent but not handled.
    """

    consumer: Consumer
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    metrics: Metrics | None = None
    _queues: dict[str, asyncio.Queue[Attempt]] = field(default_factory=dict)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _waiting_retries: int = 0

    def start(self) -> None:
        for name in QUEUES:
            self._queues[name] = asyncio.Queue()
            self._tasks.append(asyncio.create_task(self._work(name), name=f"worker-{name}"))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()

    async def publish(self, deliveries: Sequence[Delivery]) -> None:
        for envelope, queue in deliveries:
            self._queues[queue].put_nowait(Attempt(envelope))

    async def join(self) -> None:
        """Wait until every queue is empty, its work finished and no retry is waiting (tests, shutdown)."""
        while True:
            await asyncio.gather(*(q.join() for q in self._queues.values()))
            if self._waiting_retries == 0:
                return
            await asyncio.sleep(0.05)

    def _later(self, queue: str, attempts: list[tuple[Attempt, float]]) -> None:
        loop = asyncio.get_running_loop()
        for attempt, delay in attempts:
            self._waiting_retries += 1

            def _requeue(item: Attempt = attempt) -> None:
                self._waiting_retries -= 1
                self._queues[queue].put_nowait(item)

            loop.call_later(delay, _requeue)

    async def _work(self, queue: str) -> None:
        q = self._queues[queue]
        while True:
            taken = [await q.get()]
            while len(taken) < MAX_BATCH and not q.empty():
                taken.append(q.get_nowait())
            try:
                await handle_batch(
                    self.consumer,
                    taken,
                    queue,
                    self.policy,
                    self.metrics,
                    retry=lambda attempts: self._later(queue, attempts),
                )
            except Exception:
                log.exception("in-process worker step failed; trying again shortly")
                self._later(queue, [(a, self.policy.unavailable_delay) for a in taken])
            finally:
                for _ in taken:
                    q.task_done()


async def handle_batch(
    consumer: Consumer,
    attempts: Sequence[Attempt],
    queue: str,
    policy: RetryPolicy,
    metrics: Metrics | None,
    *,
    retry: Retry,
) -> None:
    """Consume a batch of deliveries; what failed or waits goes to ``retry`` with its delay, or is parked.

    An exception from here (the database or broker unreachable) means nothing was decided: the
    caller delivers the whole batch again later.
    """
    outcomes = await consumer.consume_batch([a.envelope for a in attempts], queue)
    later: list[tuple[Attempt, float]] = []
    for attempt, outcome in zip(attempts, outcomes, strict=True):
        envelope, failures, waits = attempt.envelope, attempt.failures, attempt.order_waits
        if outcome.failure is not None:
            failure = outcome.failure
            if metrics is not None:
                metrics.events_handled.labels(queue, failure.consumer, "failed").inc()
            log.warning(
                "handler failed",
                extra={
                    "event_id": envelope["id"],
                    "queue": queue,
                    "consumer": failure.consumer,
                    "error": str(failure),
                },
            )
            if failures + 1 >= policy.max_failures:
                await consumer.park(envelope, queue, failure.consumer, str(failure), failures + 1)
            else:
                later.append((Attempt(envelope, failures + 1, waits), policy.failure_delay(failures + 1)))
        elif outcome.waits_for is not None:
            if waits + 1 >= policy.max_order_waits:
                error = f"event {envelope['id']} waits for {outcome.waits_for} on {queue}"
                await consumer.park(envelope, queue, "order", error, failures + waits + 1)
            else:
                later.append((Attempt(envelope, failures, waits + 1), policy.order_delay))
        elif metrics is not None:
            metrics.events_handled.labels(queue, "*", "ok" if outcome.ran else "duplicate").inc()
    if later:
        retry(later)
