"""Scheduled jobs: run by the embedded scheduler, or by Celery beat in the distributed form."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from visionscope.bootstrap import Container
from visionscope.building_blocks.relay import Publisher, purge_sent


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: float
    queue: str
    run: Callable[[Container, Publisher], Awaitable[int]]


async def sweep_outbox(container: Container, publisher: Publisher) -> int:
    """Publish again events that were sent but not handled in time (a lost broker message)."""
    minutes = container.settings.outbox_sweep_minutes
    return await container.relay(publisher).sweep(unhandled_for=timedelta(minutes=minutes))


async def purge_outbox(container: Container, publisher: Publisher) -> int:
    """Drop sent events and inbox entries older than the retention period."""
    days = container.settings.outbox_retention_days
    return await purge_sent(container.sessions, older_than=timedelta(days=days))


JOBS: tuple[Job, ...] = (
    Job("outbox.sweep", 60.0, "analytics", sweep_outbox),
    Job("outbox.purge", 24 * 3600.0, "analytics", purge_outbox),
)
