"""Rate limits: a fixed window of requests per actor, counted in Redis (or in memory when embedded)."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from redis.exceptions import RedisError

from visionscope.building_blocks.errors import RateLimited
from visionscope.building_blocks.mediator import CallNext, Context, Message
from visionscope.building_blocks.messages import ApiKeyActor

log = logging.getLogger("visionscope.rate_limits")


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
        try:
            count, _ = await pipe.execute()
        except RedisError as err:  # Redis down: requests go on uncounted rather than failing
            log.warning("rate limit not counted", extra={"error": type(err).__name__})
            return 0
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


# Throttles: attempts at something guessable (a password, a new account) from one account or one
# client address. The first ``free`` attempts pass; after that each attempt makes the next one wait
# twice as long (2 s, 4 s, 8 s ... up to ``max_delay``). Admission is one atomic step, so attempts
# sent at once cannot all slip through before the first failure is counted.


@dataclass(frozen=True)
class Allowance:
    key: str
    free: int
    forget_after_seconds: int = 3600


class AttemptStore(Protocol):
    async def admit(self, allowance: Allowance, now: float, max_delay: int) -> float:
        """Count an attempt and answer 0, or answer how long to wait (nothing is counted then)."""
        ...

    async def forget(self, key: str, *, one: bool = False) -> None:
        """Forget the attempts of ``key`` (only one of them with ``one``)."""
        ...


def _delay(count: int, free: int, max_delay: int) -> float:
    return 0.0 if count <= free else float(min(2 ** min(count - free, 30), max_delay))


class MemoryAttempts:
    """For one process (embedded mode)."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[int, float, float]] = {}  # key: count, blocked until, forgotten at

    async def admit(self, allowance: Allowance, now: float, max_delay: int) -> float:
        if len(self._seen) > 100_000:
            self._seen = {k: v for k, v in self._seen.items() if v[2] > now}
        count, until, forget_at = self._seen.get(allowance.key, (0, 0.0, 0.0))
        if forget_at <= now:
            count, until = 0, 0.0
        if now < until:
            return until - now
        count += 1
        self._seen[allowance.key] = (
            count,
            now + _delay(count, allowance.free, max_delay),
            now + allowance.forget_after_seconds,
        )
        return 0.0

    async def forget(self, key: str, *, one: bool = False) -> None:
        if key not in self._seen:
            return
        count, until, forget_at = self._seen[key]
        if one and count > 1:
            self._seen[key] = (count - 1, until, forget_at)
        else:
            del self._seen[key]


_ADMIT = """
local blocked = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
local now = tonumber(ARGV[1])
if now < blocked then return tostring(blocked - now) end
local count = redis.call('HINCRBY', KEYS[1], 'count', 1)
local delay = 0
if count > tonumber(ARGV[2]) then
  delay = math.min(2 ^ math.min(count - tonumber(ARGV[2]), 30), tonumber(ARGV[3]))
end
redis.call('HSET', KEYS[1], 'until', tostring(now + delay))
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[4]))
return '0'
"""


class RedisAttempts:
    """Shared by every api instance: one hash per key, admitted by a script (atomic)."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self._admit = client.register_script(_ADMIT)

    async def admit(self, allowance: Allowance, now: float, max_delay: int) -> float:
        key = f"visionscope:throttle:{allowance.key}"
        wait = await self._admit(
            keys=[key], args=[repr(now), allowance.free, max_delay, allowance.forget_after_seconds]
        )
        return float(wait.decode() if isinstance(wait, bytes) else wait)

    async def forget(self, key: str, *, one: bool = False) -> None:
        name = f"visionscope:throttle:{key}"
        if one:
            await self._client.hincrby(name, "count", -1)
        else:
            await self._client.delete(name)


class Throttle:
    """Refuses (429 with Retry-After) an attempt that comes before its wait is over."""

    def __init__(
        self, store: AttemptStore, *, max_delay: int = 900, clock: Callable[[], float] = time.time
    ) -> None:
        self._store = store
        self._max_delay = max_delay
        self._clock = clock

    async def admit(self, *allowances: Allowance, what: str) -> None:
        for allowance in allowances:
            wait = await self._store.admit(allowance, self._clock(), self._max_delay)
            if wait > 0:
                retry_after = max(1, math.ceil(wait))
                raise RateLimited(
                    f"Too many {what} attempts; try again in {retry_after} s.", retry_after=retry_after
                )

    async def forget(self, key: str, *, one: bool = False) -> None:
        await self._store.forget(key, one=one)
