"""The embedded runtime: relay, in-process worker and scheduler inside the api process."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from visionscope.bootstrap import Container
from visionscope.building_blocks.relay import BrokerWatch, listen_for_outbox, outbox_figures
from visionscope.building_blocks.transport import CeleryPublisher, InProcessBroker
from visionscope.jobs import JOBS, Job

log = logging.getLogger("visionscope.runtime")


class EmbeddedRuntime:
    """Runs what the distributed form runs as separate processes, as asyncio tasks."""

    def __init__(self, container: Container, *, run_jobs: bool = True) -> None:
        self.container = container
        self._run_jobs = run_jobs
        self.broker = InProcessBroker(container.consumer, container.retry_policy, container.metrics)
        self.relay = container.relay(self.broker)
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        self.broker.start()
        # Whatever was relayed before a crash but never handled is published again at start.
        await self.relay.sweep(unhandled_for=timedelta(0))
        wake = self.container.outbox_wake
        self._tasks.append(asyncio.create_task(self._relay(wake), name="relay"))
        for job in JOBS if self._run_jobs else ():
            self._tasks.append(asyncio.create_task(self._schedule(job), name=f"job-{job.name}"))

    async def _relay(self, wake: asyncio.Event) -> None:
        async with listen_for_outbox(self.container.engine, wake):
            await self.relay.run(self._stop, wake, self.container.settings.outbox_poll_seconds)

    async def _schedule(self, job: Job) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(job.interval(self.container.settings)):
                    await self._stop.wait()
            if self._stop.is_set():
                return
            try:
                await job.run(self.container, self.broker)
            except Exception:
                log.exception("scheduled job failed", extra={"job": job.name})

    async def settle(self) -> None:
        """Relay and handle everything pending, including what handlers record meanwhile (tests, shutdown).

        The background relay may hold rows it claimed but has not published yet, so this waits
        until no row is unsent and the queues are idle, twice in a row.
        """
        calm = 0
        while calm < 2:
            moved = await self.relay.drain()
            await self.broker.join()
            async with self.container.read_sessions() as session:
                pending, _, _ = await outbox_figures(session)
            calm = calm + 1 if moved == 0 and pending == 0 else 0
            if calm == 1:
                await asyncio.sleep(0.05)

    async def stop(self) -> None:
        self._stop.set()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.broker.stop()


async def run_relay(container: Container, celery_app: object, stop: asyncio.Event) -> None:
    """The relay process of the distributed form: publishes committed events until ``stop``.

    It wakes on the database's notifications, publishes a batch of events as one message per
    queue, and watches the broker: when Redis comes back empty it publishes again what was not
    handled. It rides out database and broker outages without a restart.
    """
    settings = container.settings
    if settings.broker_url is None:
        raise ValueError("VISIONSCOPE_BROKER_URL is not set: the relay publishes to Redis")
    publisher = CeleryPublisher(celery_app, container.subscriptions)
    broker = BrokerWatch(settings.broker_url, settings.broker_check_seconds)
    wake = container.outbox_wake
    try:
        async with listen_for_outbox(container.engine, wake):
            await container.relay(publisher).run(stop, wake, settings.outbox_poll_seconds, broker)
    finally:
        await broker.close()
