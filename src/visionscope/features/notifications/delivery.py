"""The webhook sender: a scheduled job that sends due deliveries and records every attempt.

Deliveries live in the database, so first attempts and retries survive restarts. A sender
claims a delivery with a lease before sending, so several senders (processes, or a run that
overlaps the next) never send the same attempt twice; a sender that dies mid-send leaves a
lease that runs out, and the delivery is sent again (receivers dedupe by delivery id).
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from visionscope import __version__
from visionscope.building_blocks.uow import UnitOfWork
from visionscope.clock import Clock
from visionscope.config import Settings
from visionscope.features.notifications.destinations import (
    Resolver,
    build_request,
    check_destination,
    parse_webhook_url,
    resolve_host,
)
from visionscope.features.notifications.errors import WebhookUrlRefused
from visionscope.features.notifications.events import WebhookEndpointDisabled
from visionscope.features.notifications.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from visionscope.features.notifications.signing import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    signature,
)
from visionscope.features.notifications.webhooks import fail_pending_deliveries

log = logging.getLogger("visionscope.notifications.webhooks")

RESPONSE_BODY_LIMIT = 1000
CONCURRENT_SENDS = 8


@dataclass(frozen=True)
class Outcome:
    """What one POST came to: a status code and the start of the body, or an error."""

    status_code: int | None
    response_body: str | None
    error: str | None
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def retry_delay(settings: Settings, attempts: int) -> float:
    """Exponential backoff with jitter after ``attempts`` failed attempts."""
    base = settings.webhook_retry_base_seconds * 2 ** max(0, attempts - 1)
    delay: float = min(settings.webhook_retry_max_seconds, base)
    return delay * random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not security


async def claim_due(
    sessions: async_sessionmaker[AsyncSession], *, now: datetime, settings: Settings
) -> list[uuid.UUID]:
    """Lease due deliveries to this sender; a lease outlives the slowest possible run of the batch."""
    rounds = math.ceil(settings.webhook_send_batch / CONCURRENT_SENDS)
    lease = now + timedelta(seconds=rounds * settings.webhook_timeout_seconds + 60)
    free = or_(WebhookDelivery.lease_until.is_(None), WebhookDelivery.lease_until < now)
    async with sessions() as session:
        candidates = list(
            await session.scalars(
                select(WebhookDelivery.id)
                .where(
                    WebhookDelivery.status == DeliveryStatus.PENDING,
                    WebhookDelivery.next_attempt_at <= now,
                    free,
                )
                .order_by(WebhookDelivery.next_attempt_at)
                .limit(settings.webhook_send_batch)
            )
        )
        claimed = []
        for delivery_id in candidates:
            result = await session.execute(
                update(WebhookDelivery)
                .where(
                    WebhookDelivery.id == delivery_id, WebhookDelivery.status == DeliveryStatus.PENDING, free
                )
                .values(lease_until=lease)
            )
            if getattr(result, "rowcount", 0) == 1:
                claimed.append(delivery_id)
        await session.commit()
    return claimed


async def _read_start(response: httpx.Response) -> str:
    taken = bytearray()
    async for chunk in response.aiter_bytes():
        taken.extend(chunk)
        if len(taken) >= RESPONSE_BODY_LIMIT:
            break
    return taken[:RESPONSE_BODY_LIMIT].decode("utf-8", errors="replace")


async def post_delivery(
    client: httpx.AsyncClient,
    endpoint: WebhookEndpoint,
    delivery: WebhookDelivery,
    *,
    settings: Settings,
    clock: Clock,
    resolve: Resolver,
) -> Outcome:
    """Check the destination again (DNS may have changed), sign and POST the stored body."""
    started = time.perf_counter()

    def outcome(status: int | None, body: str | None, error: str | None) -> Outcome:
        elapsed = round((time.perf_counter() - started) * 1000)
        return Outcome(status, body, error[:300] if error else None, elapsed)

    try:
        async with asyncio.timeout(settings.webhook_timeout_seconds):  # resolve, connect, send and read
            url = parse_webhook_url(endpoint.url)
            destination = await check_destination(
                url, allow_private=settings.webhooks_allow_private, resolve=resolve
            )
            body = delivery.body.encode()
            headers = {
                "Content-Type": "application/json",
                "User-Agent": f"VisionScope-Webhooks/{__version__}",
                SIGNATURE_HEADER: signature(endpoint.secret, int(clock().timestamp()), body),
                DELIVERY_HEADER: str(delivery.id),
                EVENT_HEADER: delivery.event_type,
            }
            request = build_request(client, destination, content=body, headers=headers)
            response = await client.send(request, stream=True)
            try:
                text = await _read_start(response)
            finally:
                await response.aclose()
    except WebhookUrlRefused as err:
        return outcome(None, None, f"refused: {err.detail}")
    except (TimeoutError, httpx.TimeoutException):
        return outcome(None, None, f"timed out after {settings.webhook_timeout_seconds:g} s")
    except httpx.HTTPError as err:
        return outcome(None, None, f"{type(err).__name__}: {err}")
    return outcome(response.status_code, text, None)


async def record_outcome(
    uow: UnitOfWork, delivery_id: uuid.UUID, result: Outcome, *, now: datetime, settings: Settings
) -> None:
    """Log the attempt; then deliver, schedule the retry or fail, and disable a failing endpoint."""
    delivery = await uow.session.get(WebhookDelivery, delivery_id, with_for_update=True)
    if delivery is None:
        return  # the endpoint was deleted meanwhile
    endpoint = await uow.session.get(WebhookEndpoint, delivery.endpoint_id, with_for_update=True)
    if endpoint is None:
        return
    delivery.attempts += 1
    uow.session.add(
        WebhookAttempt(
            delivery_id=delivery.id,
            number=delivery.attempts,
            attempted_at=now,
            duration_ms=result.duration_ms,
            status_code=result.status_code,
            response_body=result.response_body,
            error=result.error,
        )
    )
    delivery.lease_until = None
    delivery.last_status_code, delivery.last_error = result.status_code, result.error
    if result.ok:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = DeliveryStatus.DELIVERED, now, None
        endpoint.consecutive_failures = 0
        return
    endpoint.consecutive_failures += 1
    if delivery.status == DeliveryStatus.PENDING:
        if delivery.attempts >= settings.webhook_max_attempts:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
        else:
            delivery.next_attempt_at = now + timedelta(seconds=retry_delay(settings, delivery.attempts))
    if (
        endpoint.disabled_at is None
        and endpoint.consecutive_failures >= settings.webhook_disable_after_failures
    ):
        endpoint.disabled_at = now
        endpoint.disabled_reason = f"{endpoint.consecutive_failures} failed attempts in a row"
        endpoint.record(
            WebhookEndpointDisabled(
                workspace_id=endpoint.workspace_id,
                endpoint_id=endpoint.id,
                failures=endpoint.consecutive_failures,
            )
        )
        await uow.flush()
        await fail_pending_deliveries(uow, endpoint.id, "endpoint disabled after repeated failures")
        log.warning(
            "webhook endpoint disabled",
            extra={"endpoint_id": str(endpoint.id), "workspace_id": str(endpoint.workspace_id)},
        )


async def send_one(
    sessions: async_sessionmaker[AsyncSession],
    client: httpx.AsyncClient,
    delivery_id: uuid.UUID,
    *,
    settings: Settings,
    clock: Clock,
    resolve: Resolver,
    on_events_committed: Callable[[], None] | None,
) -> Outcome | None:
    async with sessions() as session:
        row = (
            await session.execute(
                select(WebhookDelivery, WebhookEndpoint)
                .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
                .where(WebhookDelivery.id == delivery_id)
            )
        ).first()
    if row is None:
        return None
    delivery, endpoint = row
    attempted_at = clock()
    result = await post_delivery(client, endpoint, delivery, settings=settings, clock=clock, resolve=resolve)
    uow = UnitOfWork(sessions, on_events_committed=on_events_committed)
    async with uow:
        await record_outcome(uow, delivery_id, result, now=attempted_at, settings=settings)
        await uow.commit()
    log.info(
        "webhook attempt",
        extra={
            "delivery_id": str(delivery_id),
            "endpoint_id": str(endpoint.id),
            "event_type": delivery.event_type,
            "attempt": delivery.attempts + 1,
            "status_code": result.status_code,
            "error": result.error,
            "ms": result.duration_ms,
        },
    )
    return result


async def send_due_deliveries(
    sessions: async_sessionmaker[AsyncSession],
    *,
    settings: Settings,
    clock: Clock,
    on_events_committed: Callable[[], None] | None = None,
    resolve: Resolver = resolve_host,
) -> int:
    """Send every delivery that is due now; returns how many were attempted."""
    claimed = await claim_due(sessions, now=clock(), settings=settings)
    if not claimed:
        return 0
    limit = asyncio.Semaphore(CONCURRENT_SENDS)
    timeout = httpx.Timeout(settings.webhook_timeout_seconds)
    # trust_env=False: no proxy from the environment, so the checked address is the one connected to.
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=False, trust_env=False) as client:

        async def send(delivery_id: uuid.UUID) -> Outcome | None:
            async with limit:
                return await send_one(
                    sessions,
                    client,
                    delivery_id,
                    settings=settings,
                    clock=clock,
                    resolve=resolve,
                    on_events_committed=on_events_committed,
                )

        results = await asyncio.gather(*(send(d) for d in claimed), return_exceptions=True)
    for delivery_id, result in zip(claimed, results, strict=True):
        if isinstance(result, BaseException):
            log.error(
                "webhook send failed; its lease will run out and it is sent again",
                exc_info=result,
                extra={"delivery_id": str(delivery_id)},
            )
    return len(claimed)
