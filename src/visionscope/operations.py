"""Operations routes: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import asyncio
import contextlib
import os
from typing import Any

import redis.asyncio as aioredis
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text

from visionscope.bootstrap import Container
from visionscope.building_blocks.relay import outbox_figures

router = APIRouter(tags=["operations"])


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


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    container = _container(request)
    async with container.read_sessions() as session:
        pending, lag, dead = await outbox_figures(session)
    container.metrics.outbox_pending.set(pending)
    container.metrics.outbox_lag.set(lag)
    container.metrics.dead_messages.set(dead)
    return Response(container.metrics.render(), media_type=CONTENT_TYPE_LATEST)
