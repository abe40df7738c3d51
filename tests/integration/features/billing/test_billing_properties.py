"""Property: whatever happens, in any order, the books balance.

Random sequences of reserve, capture, release, charge, top-up, expiry, renewal, tier change and
catalog change keep ``available = granted + purchased - used - reserved >= 0`` in every pool, every
pool's statement adds up to its balance line by line, and each pool's reserved credits are exactly
those of its open reservations. Refusals (402, 403, 404, 409, 422) are allowed; anything else fails.
"""

from __future__ import annotations

import contextlib
import itertools
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.billing_support import (
    SYSTEM,
    ManualClock,
    assert_books_balance,
    feature_spec,
    load,
    new_workspace,
    offer,
    packaged,
)
from visionscope.bootstrap import Container
from visionscope.building_blocks.errors import DomainError
from visionscope.features.billing.commands import (
    CaptureCredits,
    ChangeTier,
    ChargeCredits,
    ExpireReservations,
    ReleaseCredits,
    RenewPeriods,
    ReserveCredits,
    TopUpCredits,
)
from visionscope.features.workspaces.schemas import WorkspaceRead

FEATURES = ["video_analysis", "text_recognition", "chat_message", "search"]
TIERS = ["free", "pro", "enterprise"]
CATALOG_CHANGES = [
    "remove video_analysis from free",
    "add text_recognition to free",
    "deactivate search",
    "raise chat_message cost",
    "shrink free grants",
    "packaged",
]

feature = st.sampled_from(FEATURES)
step = st.one_of(
    st.tuples(st.just("reserve"), feature, st.integers(1, 30)),
    st.tuples(st.just("capture"), st.integers(0, 9), st.integers(0, 30)),
    st.tuples(st.just("release"), st.integers(0, 9)),
    st.tuples(st.just("charge"), feature, st.integers(1, 120)),
    st.tuples(st.just("top_up"), feature, st.integers(1, 200)),
    st.tuples(st.just("expire")),
    st.tuples(st.just("renew")),
    st.tuples(st.just("tier"), st.sampled_from(TIERS)),
    st.tuples(st.just("catalog"), st.sampled_from(CATALOG_CHANGES)),
)
keys = itertools.count()


def changed_catalog(change: str) -> dict[str, Any]:
    catalog = packaged()
    if change == "remove video_analysis from free":
        del offer(catalog, "free")["video_analysis"]
    elif change == "add text_recognition to free":
        offer(catalog, "free")["text_recognition"] = {"monthly_credits": 120}
    elif change == "deactivate search":
        feature_spec(catalog, "search")["is_active"] = False
    elif change == "raise chat_message cost":
        feature_spec(catalog, "chat_message")["credits_per_unit"] = 7
    elif change == "shrink free grants":
        for spec in offer(catalog, "free").values():
            spec["monthly_credits"] //= 3
    return catalog


async def run(container: Container, clock: ManualClock, ws: WorkspaceRead, action: tuple[Any, ...]) -> None:
    send, name = container.mediator.send, action[0]
    reservations = [f"r{n}" for n in range(10)]
    if name == "reserve":
        key = reservations[next(keys) % 10]
        await send(
            ReserveCredits(
                workspace_id=ws.id, feature=action[1], quantity=action[2], idempotency_key=key, operation="p"
            ),
            SYSTEM,
        )
    elif name == "capture":
        await send(
            CaptureCredits(workspace_id=ws.id, idempotency_key=reservations[action[1]], quantity=action[2]),
            SYSTEM,
        )
    elif name == "release":
        await send(ReleaseCredits(workspace_id=ws.id, idempotency_key=reservations[action[1]]), SYSTEM)
    elif name == "charge":
        await send(
            ChargeCredits(
                workspace_id=ws.id,
                feature=action[1],
                quantity=action[2],
                idempotency_key=f"c{next(keys)}",
                operation="p",
            ),
            SYSTEM,
        )
    elif name == "top_up":
        await send(TopUpCredits(workspace_id=ws.id, feature=action[1], credits=action[2]), SYSTEM)
    elif name == "expire":
        clock.advance(hours=13)
        await send(ExpireReservations(), SYSTEM)
    elif name == "renew":
        clock.advance(days=31)
        await send(RenewPeriods(limit=1000), SYSTEM)
    elif name == "tier":
        await send(ChangeTier(workspace_id=ws.id, tier=action[1]), SYSTEM)
    elif name == "catalog":
        await load(container, changed_catalog(action[1]))


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(start=st.sampled_from(TIERS), steps=st.lists(step, min_size=1, max_size=12))
async def test_random_sequences_keep_every_pool_balanced(
    billing: Container, clock: ManualClock, start: str, steps: list[tuple[Any, ...]]
) -> None:
    await load(billing, packaged())
    ws = await new_workspace(billing, start)
    for action in steps:
        with contextlib.suppress(DomainError):  # a refusal changes nothing; the books must still balance
            await run(billing, clock, ws, action)
        await assert_books_balance(billing, ws.id)
    await assert_books_balance(billing)
