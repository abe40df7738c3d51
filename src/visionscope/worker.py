"""The Celery application of the distributed form: event consumers and scheduled jobs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any, TypeVar

from celery import Celery

from visionscope.bootstrap import Container, build_container
from visionscope.building_blocks.transport import (
    CONSUME_BATCH_TASK,
    CONSUME_TASK,
    Attempt,
    CeleryPublisher,
    handle_batch,
)
from visionscope.config import Settings
from visionscope.jobs import JOBS

JOB_TASK = "visionscope.run_job"
log = logging.getLogger("visionscope.worker")
T = TypeVar("T")


class WorkerState:
    """A container and event loop per worker process, built on first use (after the fork)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._loop: asyncio.AbstractEventLoop | None = None
        self._container: Container | None = None

    @property
    def container(self) -> Container:
        if self._container is None:
            self._container = build_container(self.settings)
        return self._container

    def run(self, work: Awaitable[T]) -> T:
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
        return self._loop.run_until_complete(work)


def create_celery(settings: Settings) -> Celery:
    if settings.broker_url is None:
        raise ValueError("VISIONSCOPE_BROKER_URL is not set: the distributed form needs Redis")
    app = Celery("visionscope", broker=settings.broker_url, set_as_current=False)
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue="analytics",
        task_create_missing_queues=True,
        broker_connection_retry_on_startup=True,
        # A long analysis must not be handed to a second worker while the first still runs it.
        broker_transport_options={"visibility_timeout": 6 * 3600},
        worker_hijack_root_logger=False,
    )
    state = WorkerState(settings)
    publisher = CeleryPublisher(app)

    def consume_attempts(attempts: list[Attempt], queue: str) -> None:
        container = state.container
        publisher.subscriptions = container.subscriptions
        try:
            state.run(
                handle_batch(
                    container.consumer,
                    attempts,
                    queue,
                    container.retry_policy,
                    container.metrics,
                    retry=lambda later: publisher.send_later(queue, later),
                )
            )
        except Exception as err:
            # The database (or broker) is unreachable: nothing was decided, try the batch again.
            log.warning("batch not handled, trying again", extra={"queue": queue, "error": repr(err)})
            delay = container.retry_policy.unavailable_delay
            publisher.send_later(queue, [(attempt, delay) for attempt in attempts])

    # Retries are counted by our own policy (then the event is parked), not by Celery.
    @app.task(name=CONSUME_BATCH_TASK)
    def consume_batch(items: list[Any], queue: str) -> None:
        consume_attempts([Attempt.from_message(item) for item in items], queue)

    # One event a message: what relays of earlier versions published.
    @app.task(name=CONSUME_TASK)
    def consume(envelope: Any, queue: str, failures: int = 0, order_waits: int = 0) -> None:
        consume_attempts([Attempt(envelope, failures, order_waits)], queue)

    @app.task(name=JOB_TASK)
    def run_job(name: str) -> int:
        job = next(j for j in JOBS if j.name == name)
        publisher.subscriptions = state.container.subscriptions
        return state.run(job.run(state.container, publisher))

    app.conf.beat_schedule = {
        job.name: {
            "task": JOB_TASK,
            "schedule": job.interval(settings),
            "args": [job.name],
            "options": {"queue": job.queue},
        }
        for job in JOBS
    }
    return app
