"""The rate limit behaviour, with an in-memory counter and a clock the test moves."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from visionscope.building_blocks.errors import RateLimited
from visionscope.building_blocks.mediator import Context, Mediator
from visionscope.building_blocks.messages import Access, ApiKeyActor, Query, Role, UserActor
from visionscope.building_blocks.rate_limits import MemoryCounter, RateLimit


@dataclass(frozen=True, kw_only=True)
class Ping(Query[str]):
    pass


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


async def pong(message: Any, context: Context) -> str:
    return "pong"


def mediator(clock: Clock, tiers: dict[uuid.UUID, str] | None = None) -> Mediator:
    async def tier_of(workspace_id: Any) -> str | None:
        return (tiers or {}).get(workspace_id)

    limit = RateLimit(MemoryCounter(clock), {"free": 2, "pro": 4}, tier_of, clock=clock)
    return Mediator({Ping: pong}, [limit])


async def test_a_user_over_the_limit_gets_429_with_retry_after_then_recovers() -> None:
    clock = Clock()
    send = mediator(clock).send
    ctx = Context(actor=UserActor(uuid.uuid4()))
    assert [await send(Ping(), ctx) for _ in range(2)] == ["pong", "pong"]
    with pytest.raises(RateLimited) as refused:
        await send(Ping(), ctx)
    assert 1 <= refused.value.extra["retry_after"] <= 60
    clock.now += refused.value.extra["retry_after"]
    assert await send(Ping(), ctx) == "pong"


async def test_limits_are_per_actor_and_sized_by_the_workspace_tier() -> None:
    clock = Clock()
    pro_workspace = uuid.uuid4()
    send = mediator(clock, {pro_workspace: "pro"}).send
    first, second = Context(actor=UserActor(uuid.uuid4())), Context(actor=UserActor(uuid.uuid4()))
    for _ in range(2):
        await send(Ping(), first)
    await send(Ping(), second)  # someone else's budget
    key = ApiKeyActor(
        key_id=uuid.uuid4(), workspace_id=pro_workspace, role=Role.EDITOR, created_by=uuid.uuid4()
    )
    ctx = Context(actor=key, workspace_id=pro_workspace)
    assert [await send(Ping(), ctx) for _ in range(4)] == ["pong"] * 4
    with pytest.raises(RateLimited):
        await send(Ping(), ctx)


async def test_system_messages_are_never_limited() -> None:
    send = mediator(Clock()).send
    assert [await send(Ping(), Context(system=True)) for _ in range(10)] == ["pong"] * 10


@dataclass(frozen=True, kw_only=True)
class Picture(Query[str]):
    access = Access(rate_limited=False)


async def test_messages_declared_cheap_are_not_counted() -> None:
    clock = Clock()

    async def tier_of(workspace_id: Any) -> str | None:
        return None

    limit = RateLimit(MemoryCounter(clock), {"free": 1}, tier_of, clock=clock)
    send = Mediator({Ping: pong, Picture: pong}, [limit]).send
    ctx = Context(actor=UserActor(uuid.uuid4()))
    assert [await send(Picture(), ctx) for _ in range(5)] == ["pong"] * 5
    assert await send(Ping(), ctx) == "pong"
    with pytest.raises(RateLimited):
        await send(Ping(), ctx)
