"""The webhook sender job: leases, concurrent senders, restarts, and the send-time address check."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tests.helpers import add_member, register, workspace
from tests.receivers import WebhookReceiver, settle_until, wait_until
from visionscope.bootstrap import Container, build_container
from visionscope.clock import utc_clock
from visionscope.config import Settings
from visionscope.features.notifications.delivery import claim_due, send_due_deliveries
from visionscope.features.notifications.models import WebhookAttempt, WebhookDelivery
from visionscope.runtime import EmbeddedRuntime


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "webhooks_allow_private": True,
            "webhook_retry_base_seconds": 0.05,
            "webhook_retry_max_seconds": 0.2,
        }
    )


@pytest.fixture
async def receiver() -> AsyncIterator[WebhookReceiver]:
    server = WebhookReceiver()
    await server.start()
    yield server
    await server.stop()


async def pending_deliveries(
    client: httpx.AsyncClient,
    container: Container,
    runtime: EmbeddedRuntime,
    receiver: WebhookReceiver,
    n: int,
) -> dict[str, Any]:
    """A workspace with a webhook and ``n`` deliveries waiting to be sent."""
    owner = await register(client, "Owner")
    ws = await workspace(client, owner)
    hook = await client.post(
        f"/v1/workspaces/{ws['id']}/webhooks",
        json={"url": receiver.url, "events": ["collaborator.added"]},
        headers=owner.headers,
    )
    assert hook.status_code == 201
    for i in range(n):
        await add_member(client, ws, owner, await register(client, f"M{i}"), "viewer")

    async def all_enqueued() -> bool:
        async with container.read_sessions() as session:
            return len((await session.scalars(select(WebhookDelivery.id))).all()) == n

    await settle_until(runtime, all_enqueued)
    return {"owner": owner, "ws": ws, "hook": hook.json()}


async def attempts(container: Container) -> list[WebhookAttempt]:
    async with container.read_sessions() as session:
        return list(await session.scalars(select(WebhookAttempt)))


async def test_concurrent_senders_send_each_delivery_once(
    client: httpx.AsyncClient,
    settings: Settings,
    container: Container,
    runtime: EmbeddedRuntime,
    receiver: WebhookReceiver,
) -> None:
    await pending_deliveries(client, container, runtime, receiver, 4)
    second = build_container(settings)  # another process's sender, on the same database
    try:
        sent = await asyncio.gather(
            send_due_deliveries(container.sessions, settings=settings, clock=utc_clock),
            send_due_deliveries(second.sessions, settings=settings, clock=utc_clock),
            send_due_deliveries(container.sessions, settings=settings, clock=utc_clock),
        )
    finally:
        await second.dispose()
    assert sum(sent) <= 4  # nothing claimed twice
    await wait_until(lambda: _all_delivered(container, 4))
    ids = [r.headers["visionscope-delivery"] for r in receiver.requests]
    assert len(ids) == 4 and len(set(ids)) == 4
    assert len(await attempts(container)) == 4


async def _all_delivered(container: Container, n: int) -> bool:
    await send_due_deliveries(container.sessions, settings=container.settings, clock=utc_clock)
    async with container.read_sessions() as session:
        statuses = list(await session.scalars(select(WebhookDelivery.status)))
    return statuses.count("delivered") == n


@pytest.fixture
async def runtime_without_jobs(container: Container) -> AsyncIterator[EmbeddedRuntime]:
    """Relay and consumers only: no scheduled sender races the test's own calls."""
    embedded = EmbeddedRuntime(container, run_jobs=False)
    await embedded.start()
    yield embedded
    await embedded.stop()


async def test_a_sender_that_died_after_claiming_leaves_a_lease_that_runs_out(
    client: httpx.AsyncClient,
    settings: Settings,
    container: Container,
    runtime_without_jobs: EmbeddedRuntime,
    receiver: WebhookReceiver,
) -> None:
    await pending_deliveries(client, container, runtime_without_jobs, receiver, 2)
    now = utc_clock()
    claimed = await claim_due(container.sessions, now=now, settings=settings)  # ...and then it died
    assert len(claimed) == 2
    assert await send_due_deliveries(container.sessions, settings=settings, clock=utc_clock) == 0
    later = now + timedelta(seconds=settings.webhook_send_batch * settings.webhook_timeout_seconds + 61)
    assert await send_due_deliveries(container.sessions, settings=settings, clock=lambda: later) == 2
    assert sorted(r.headers["visionscope-delivery"] for r in receiver.requests) == sorted(map(str, claimed))


async def test_deliveries_waiting_for_a_retry_are_sent_after_a_restart(
    client: httpx.AsyncClient,
    settings: Settings,
    container: Container,
    runtime_without_jobs: EmbeddedRuntime,
    receiver: WebhookReceiver,
) -> None:
    """Retries live in the database: a new process (container and scheduler) picks them up by itself."""
    await receiver.stop()
    world = await pending_deliveries(client, container, runtime_without_jobs, receiver, 1)
    assert await send_due_deliveries(container.sessions, settings=settings, clock=utc_clock) == 1
    [failed] = await attempts(container)
    assert failed.status_code is None and failed.error
    await runtime_without_jobs.stop()  # the old process ends
    await receiver.start()
    restarted = build_container(settings)
    fresh = EmbeddedRuntime(restarted)
    await fresh.start()  # its scheduler runs the webhooks.send job every few seconds
    try:
        await wait_until(lambda: _received(receiver), seconds=120)
    finally:
        await fresh.stop()
        await restarted.dispose()
    body = json.loads(receiver.requests[0].body)
    assert body["type"] == "collaborator.added" and body["workspace_id"] == world["ws"]["id"]


async def _received(receiver: WebhookReceiver) -> bool:
    return len(receiver.requests) > 0
