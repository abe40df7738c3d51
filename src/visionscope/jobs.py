"""Scheduled jobs: run by the embedded scheduler, or by Celery beat in the distributed form."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from visionscope.bootstrap import Container
from visionscope.building_blocks.mediator import Context
from visionscope.building_blocks.relay import Publisher, purge_sent
from visionscope.config import Settings
from visionscope.features.billing.commands import ExpireReservations, RenewPeriods
from visionscope.features.notifications.delivery import send_due_deliveries
from visionscope.features.videos.runner import lost_analyses

log = logging.getLogger("visionscope.jobs")


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: float
    queue: str
    run: Callable[[Container, Publisher], Awaitable[int]]
    setting: str | None = None  # a setting that overrides every_seconds

    def interval(self, settings: Settings) -> float:
        return float(getattr(settings, self.setting)) if self.setting else self.every_seconds


async def sweep_outbox(container: Container, publisher: Publisher) -> int:
    """Publish again events that were sent but not handled in time (a lost broker message)."""
    minutes = container.settings.outbox_sweep_minutes
    return await container.relay(publisher).sweep(unhandled_for=timedelta(minutes=minutes))


_handed_out: dict[str, float] = {}


async def _first_in(container: Container, key: str, seconds: float) -> bool:
    """True the first time ``key`` is asked about in ``seconds`` (in Redis when there is one)."""
    if container.redis is not None:
        try:
            return bool(
                await container.redis.set(f"visionscope:once:{key}", "1", nx=True, ex=int(seconds) or 1)
            )
        except Exception as err:
            log.warning("once-only check failed; going ahead", extra={"error": repr(err)})
            return True
    now = time.monotonic()
    if _handed_out.get(key, 0.0) > now:
        return False
    _handed_out[key] = now + seconds
    return True


async def resume_lost_analyses(container: Container, publisher: Publisher) -> int:
    """Hand each analysis whose worker was lost (its lease ran out) to a live worker, once a lease."""
    lease = container.settings.analysis_lease_seconds
    async with container.sessions() as session:
        lost = await lost_analyses(session, container.deps.clock())
    again = [envelope for envelope in lost if await _first_in(container, f"resume:{envelope['id']}", lease)]
    if again:
        log.warning("resuming analyses whose worker was lost", extra={"count": len(again)})
        await publisher.publish([(envelope, "video_processing") for envelope in again])
    return len(again)


async def purge_outbox(container: Container, publisher: Publisher) -> int:
    """Drop sent events and inbox entries older than the retention period."""
    days = container.settings.outbox_retention_days
    return await purge_sent(container.sessions, older_than=timedelta(days=days))


async def send_webhooks(container: Container, publisher: Publisher) -> int:
    """Send webhook deliveries that are due: first attempts and retries after their backoff."""
    return await send_due_deliveries(
        container.sessions,
        settings=container.settings,
        clock=container.deps.clock,
        on_events_committed=container.outbox_wake.set,
    )


async def expire_reservations(container: Container, publisher: Publisher) -> int:
    """Release credit reservations that nobody captured or released in time, a batch at a time."""
    total = 0
    while True:
        batch = ExpireReservations()
        released = await container.mediator.send(batch, Context(system=True))
        total += released
        if released < batch.limit:
            return total


async def renew_periods(container: Container, publisher: Publisher) -> int:
    """Start the next billing period of workspaces whose period ended, a batch at a time."""
    total = 0
    while True:
        batch = RenewPeriods()
        renewed = await container.mediator.send(batch, Context(system=True))
        total += renewed
        if renewed < batch.limit:
            return total


JOBS: tuple[Job, ...] = (
    Job("outbox.sweep", 60.0, "analytics", sweep_outbox),
    Job("outbox.purge", 24 * 3600.0, "analytics", purge_outbox),
    Job("billing.expire_reservations", 300.0, "billing", expire_reservations),
    Job("billing.renew_periods", 300.0, "billing", renew_periods),
    Job("webhooks.send", 2.0, "notifications", send_webhooks),
    Job("videos.resume_lost", 5.0, "analytics", resume_lost_analyses, setting="analysis_watch_seconds"),
)
