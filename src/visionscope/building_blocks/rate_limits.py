"""Rate limits: a fixed window of requests per actor, counted in Redis (or in memory when embedded)."""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

from visionscope.building_blocks.errors import RateLimited
from visionscope.building_blocks.mediator import CallNext, Context, Message
from visionscope.building_blocks.messages import ApiKeyActor


class Counter(Protocol):
    async def hit(self, key: str, window_seconds: int) -> int:
        """Count one more request in the current window of ``key``; answers the count so far."""
        ...


class MemoryCounter:
    """For one process (embedded mode): counts in a dict, forgetting past windows."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._counts: dict[str, int] = {}
        self._clock = clock

    async def hit(self, key: str, window_seconds: int) -> int:
        window = int(self._clock() // window_seconds)
        slot = f"{key}:{window}"
        if len(self._counts) > 100_000:
            self._counts = {k: v for k, v in self._counts.items() if k.endswith(f":{window}")}
        self._counts[slot] = self._counts.get(slot, 0) + 1
        return self._counts[slot]


class RedisCounter:
    """Shared by every api instance: INCR on a key per window, which expires with the window."""

    def __init__(self, client: Any, clock: Callable[[], float] = time.time) -> None:
        self._client = client
        self._clock = clock

    async def hit(self, key: str, window_seconds: int) -> int:
        window = int(self._clock() // window_seconds)
        slot = f"visionscope:rate:{key}:{window}"
        pipe = self._client.pipeline()
        pipe.incr(slot)
        pipe.expire(slot, window_seconds + 1)
        count, _ = await pipe.execute()
        return int(count)


TierOf = Callable[[Any], Awaitable[str | None]]


class RateLimit:
    """Mediator behaviour: each user and each API key gets ``limits[tier]`` messages a minute.

    The tier is the one of the workspace the message is about (set by the authorization
    behaviour); messages about no workspace count against the ``default`` tier's limit.
    """

    def __init__(
        self,
        counter: Counter,
        limits: Mapping[str, int],
        tier_of: TierOf,
        *,
        default: str = "free",
        window_seconds: int = 60,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._counter = counter
        self._limits = dict(limits)
        self._tier_of = tier_of
        self._default = default
        self._window = window_seconds
        self._clock = clock

    async def __call__(self, message: Message, call_next: CallNext, context: Context) -> Any:
        actor = context.actor
        if context.system or actor is None or not type(message).access.rate_limited:
            return await call_next()
        key = f"key:{actor.key_id}" if isinstance(actor, ApiKeyActor) else f"user:{actor.user_id}"
        # The tier is looked up only for scoped messages; others count against the default tier.
        tier = (await self._tier_of(context.workspace_id) if context.workspace_id else None) or self._default
        limit = self._limits.get(tier, self._limits.get(self._default, 0))
        if limit > 0 and await self._counter.hit(key, self._window) > limit:
            retry_after = max(1, math.ceil(self._window - self._clock() % self._window))
            raise RateLimited(
                f"More than {limit} requests a minute; try again in {retry_after} s.",
                retry_after=retry_after,
                limit=limit,
            )
        return await call_next()
