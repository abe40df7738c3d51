"""Rate limits through HTTP: 429 with Retry-After, then recovery; in memory and in Redis."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest
import redis

from tests.conftest import REDIS_URL
from tests.helpers import register
from visionscope.app import create_app
from visionscope.bootstrap import build_container
from visionscope.config import Settings

WINDOW = 4  # seconds: a few requests fit well inside one window


async def limited_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    container = build_container(settings)
    app = create_app(settings, container)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        yield client
    await container.dispose()


async def start_of_a_window(seconds: int) -> None:
    """Wait until a fixed window has just begun, so that a few quick requests fall in one window."""
    while time.time() % seconds > 0.2:
        await asyncio.sleep(0.05)


async def exercise(client: httpx.AsyncClient) -> None:
    owner = await register(client)
    await start_of_a_window(WINDOW)
    statuses = [(await client.get("/v1/workspaces", headers=owner.headers)).status_code for _ in range(4)]
    # /v1/auth/token was not counted (anonymous); three listings pass, the fourth is refused.
    assert statuses == [200, 200, 200, 429]
    refused = await client.get("/v1/workspaces", headers=owner.headers)
    assert refused.status_code == 429
    assert refused.headers["content-type"].startswith("application/problem+json")
    retry_after = int(refused.headers["retry-after"])
    assert 1 <= retry_after <= WINDOW
    await asyncio.sleep(retry_after + 0.1)
    assert (await client.get("/v1/workspaces", headers=owner.headers)).status_code == 200


async def test_rate_limit_in_memory(settings: Settings) -> None:
    limited = settings.model_copy(update={"rate_limits": {"free": 3}, "rate_limit_window_seconds": WINDOW})
    async for client in limited_client(limited):
        await exercise(client)


@pytest.mark.redis
async def test_rate_limit_shared_through_redis(settings: Settings) -> None:
    assert REDIS_URL is not None
    redis.Redis.from_url(REDIS_URL).flushdb()
    limited = settings.model_copy(
        update={"rate_limits": {"free": 3}, "rate_limit_window_seconds": WINDOW, "redis_url": REDIS_URL}
    )
    async for client in limited_client(limited):
        await exercise(client)
