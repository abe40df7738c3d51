"""Operations routes: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import os
import secrets
from typing import Any

import redis.asyncio as aioredis
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from visionscope.bootstrap import Container
from visionscope.building_blocks.consumers import QUEUES
from visionscope.building_blocks.outbox import DeadMessage
from visionscope.building_blocks.problems import problem_response
from visionscope.building_blocks.relay import outbox_figures
from visionscope.building_blocks.transport import InProcessBroker
from visionscope.features.analytics.metric_families import business_figures

log = logging.getLogger("visionscope.operations")
router = APIRouter(tags=["operations"])
# Celery's Redis transport keeps a queue's messages in one list per priority step; step 0 is the queue name.
KOMBU_PRIORITY_STEPS = (0, 3, 6, 9)
KOMBU_PRIORITY_SEPARATOR = "\x06\x16"


def _container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """The database, the broker and the storage are reachable."""
    container = _container(request)
    checks: dict[str, Any] = {}
    try:
        async with container.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as err:
        checks["database"] = f"unreachable: {type(err).__name__}"
    checks["broker"] = await _broker_check(container)
    storage = container.settings.storage_dir
    try:
        storage.mkdir(parents=True, exist_ok=True)
        checks["storage"] = "ok" if os.access(storage, os.W_OK) else "not writable"
    except OSError as err:
        checks["storage"] = f"unusable: {err.strerror}"
    ready = all(v in ("ok", "in-process") for v in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks}, status_code=200 if ready else 503
    )


async def _broker_check(container: Container) -> str:
    url = container.settings.broker_url
    if url is None:
        return "in-process"
    client = aioredis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        await asyncio.wait_for(client.ping(), timeout=3)
        return "ok"
    except Exception as err:
        return f"unreachable: {type(err).__name__}"
    finally:
        with contextlib.suppress(Exception):
            await client.aclose()


def _metrics_refusal(request: Request, token: str | None) -> Response | None:
    """/metrics names every workspace with its credits. With a token set, only its bearer reads them;
    without one, only clients on this machine (loopback)."""
    if token:
        given = request.headers.get("authorization", "")
        if secrets.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return None
        refused = problem_response(
            401, "Not authenticated", "Send the metrics token as a bearer token.", "unauthenticated"
        )
        refused.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return refused
    host = request.client.host if request.client else ""
    with contextlib.suppress(ValueError):
        if ipaddress.ip_address(host).is_loopback:
            return None
    return problem_response(
        403,
        "Forbidden",
        "Metrics are served to this machine only; set VISIONSCOPE_METRICS_TOKEN to scrape from elsewhere.",
        "forbidden",
    )


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    """Prometheus metrics: what this process counted, and figures read now from the database and broker."""
    container = _container(request)
    refused = _metrics_refusal(request, container.settings.metrics_token)
    if refused is not None:
        return refused
    exported = container.metrics
    async with container.read_sessions() as session:
        pending, lag, dead = await outbox_figures(session)
        dead_by_queue = await _dead_by_queue(session)
        exported.figures.replace(await business_figures(session))
    exported.outbox_pending.set(pending)
    exported.outbox_lag.set(lag)
    exported.dead_messages.set(dead)
    for queue in QUEUES:
        exported.dead_messages_by_queue.labels(queue).set(dead_by_queue.get(queue, 0))
    depths = await _queue_depths(request, container)
    exported.queue_depth.clear()
    for queue, depth in (depths or {}).items():
        exported.queue_depth.labels(queue).set(depth)
    return Response(exported.render(), media_type=CONTENT_TYPE_LATEST)


async def _dead_by_queue(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(
        select(DeadMessage.queue, func.count())
        .where(DeadMessage.replayed_at.is_(None))
        .group_by(DeadMessage.queue)
    )
    return {queue: int(count) for queue, count in rows}


async def _queue_depths(request: Request, container: Container) -> dict[str, int] | None:
    """Deliveries waiting per queue: the in-process broker's when embedded, else Redis's lists."""
    runtime = getattr(request.app.state, "runtime", None)
    if runtime is not None:
        return in_process_depths(runtime.broker)
    url = container.settings.broker_url
    if url is None:
        return None
    client = aioredis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        return await redis_depths(client)
    except Exception as err:
        log.warning("queue depths unavailable", extra={"error": type(err).__name__})
        return None
    finally:
        with contextlib.suppress(Exception):
            await client.aclose()


def in_process_depths(broker: InProcessBroker) -> dict[str, int]:
    # InProcessBroker has no public view of its queues; its asyncio queues are read directly.
    queues: dict[str, asyncio.Queue[Any]] = broker._queues
    return {queue: queues[queue].qsize() if queue in queues else 0 for queue in QUEUES}


async def redis_depths(client: Any) -> dict[str, int]:
    """LLEN of each Celery queue's lists (one per priority step) on the broker."""
    pipe = client.pipeline()
    for queue in QUEUES:
        for step in KOMBU_PRIORITY_STEPS:
            pipe.llen(f"{queue}{KOMBU_PRIORITY_SEPARATOR}{step}" if step else queue)
    lengths = await pipe.execute()
    steps = len(KOMBU_PRIORITY_STEPS)
    return {queue: sum(lengths[i * steps : (i + 1) * steps]) for i, queue in enumerate(QUEUES)}
