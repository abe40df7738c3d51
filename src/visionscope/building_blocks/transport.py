"""Transports for events: Celery over Redis (distributed) or asyncio queues (embedded)."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from visionscope.building_blocks.consumers import QUEUES, Consumer, HandlerFailed, OutOfOrder
from visionscope.building_blocks.metrics import Metrics
from visionscope.building_blocks.outbox import Envelope
from visionscope.building_blocks.relay import Delivery

log = logging.getLogger("visionscope.transport")

CONSUME_TASK = "visionscope.consume"


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter for failures; short steady waits for out-of-order events."""

    max_failures: int = 5
    base_delay: float = 2.0
    max_delay: float = 300.0
    order_delay: float = 0.2
    max_order_waits: int = 600

    def failure_delay(self, failures: int) -> float:
        delay: float = min(self.max_delay, self.base_delay * 2 ** max(0, failures - 1))
        return delay * random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not security


class CeleryPublisher:
    """Sends each delivery as a Celery task to its queue. The task id is event id and queue."""

    def __init__(self, celery_app: Any) -> None:
        self._app = celery_app

    def _send(self, deliveries: Sequence[Delivery]) -> None:
        for envelope, queue in deliveries:
            self._app.send_task(
                CONSUME_TASK, args=[envelope, queue], queue=queue, task_id=f"{envelope['id']}:{queue}"
            )

    async def publish(self, deliveries: Sequence[Delivery]) -> None:
        await asyncio.to_thread(self._send, deliveries)


@dataclass
class _Item:
    envelope: Envelope
    queue: str
    failures: int = 0
    order_waits: int = 0


@dataclass
class InProcessBroker:
    """The embedded transport: one asyncio queue and worker per queue name, in the api process.

    Nothing is lost on a crash: the relay's sweep publishes again what was sent but not handled.
    """

    consumer: Consumer
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    metrics: Metrics | None = None
    _queues: dict[str, asyncio.Queue[_Item]] = field(default_factory=dict)
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
            self._queues[queue].put_nowait(_Item(envelope, queue))

    async def join(self) -> None:
        """Wait until every queue is empty, its work finished and no retry is waiting (tests, shutdown)."""
        while True:
            await asyncio.gather(*(q.join() for q in self._queues.values()))
            if self._waiting_retries == 0:
                return
            await asyncio.sleep(0.05)

    def _later(self, item: _Item, delay: float) -> None:
        self._waiting_retries += 1

        def _requeue() -> None:
            self._waiting_retries -= 1
            self._queues[item.queue].put_nowait(item)

        asyncio.get_running_loop().call_later(delay, _requeue)

    async def _work(self, queue: str) -> None:
        q = self._queues[queue]
        while True:
            item = await q.get()
            try:
                await handle_delivery(
                    self.consumer,
                    item.envelope,
                    queue,
                    self.policy,
                    self.metrics,
                    failures=item.failures,
                    order_waits=item.order_waits,
                    retry=lambda delay, f, o, it=item: self._retry(it, delay, f, o),
                )
            except Exception:
                log.exception("in-process worker step failed")
            finally:
                q.task_done()

    def _retry(self, item: _Item, delay: float, failures: int, order_waits: int) -> None:
        item.failures, item.order_waits = failures, order_waits
        self._later(item, delay)


async def handle_delivery(
    consumer: Consumer,
    envelope: Envelope,
    queue: str,
    policy: RetryPolicy,
    metrics: Metrics | None,
    *,
    failures: int,
    order_waits: int,
    retry: Any,
) -> None:
    """Consume one delivery; on failure call ``retry(delay, failures, order_waits)`` or park it."""
    try:
        ran = await consumer.consume(envelope, queue)
        if metrics is not None:
            metrics.events_handled.labels(queue, "*", "ok" if ran else "duplicate").inc()
    except OutOfOrder as err:
        if order_waits + 1 >= policy.max_order_waits:
            await consumer.park(envelope, queue, "order", str(err), failures + order_waits + 1)
            return
        retry(policy.order_delay, failures, order_waits + 1)
    except HandlerFailed as err:
        if metrics is not None:
            metrics.events_handled.labels(queue, err.consumer, "failed").inc()
        log.warning(
            "handler failed",
            extra={"event_id": envelope["id"], "queue": queue, "consumer": err.consumer, "error": str(err)},
        )
        if failures + 1 >= policy.max_failures:
            await consumer.park(envelope, queue, err.consumer, str(err), failures + 1)
            return
        retry(policy.failure_delay(failures + 1), failures + 1, order_waits)
