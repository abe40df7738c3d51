"""How credits move (PRICING.md): reserve, capture, release, charge, top up, idempotency, 402/403."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from tests.billing_support import SYSTEM, ManualClock, assert_books_balance, new_workspace, pools_of
from visionscope.bootstrap import Container
from visionscope.building_blocks.errors import Conflict, Forbidden, InvalidInput, NotFound, PaymentRequired
from visionscope.building_blocks.outbox import OutboxMessage
from visionscope.features.billing.commands import (
    CaptureCredits,
    ChargeCredits,
    ExpireReservations,
    ReleaseCredits,
    ReserveCredits,
    TopUpCredits,
)
from visionscope.features.billing.models import CreditPool, UsageLog


def charge(workspace_id: object, feature: str, quantity: int, key: str) -> ChargeCredits:
    return ChargeCredits(
        workspace_id=workspace_id,  # type: ignore[arg-type]
        feature=feature,
        quantity=quantity,
        idempotency_key=key,
        operation=f"test:{key}",
    )


def reserve(workspace_id: object, quantity: int, key: str) -> ReserveCredits:
    return ReserveCredits(
        workspace_id=workspace_id,  # type: ignore[arg-type]
        feature="video_analysis",
        quantity=quantity,
        idempotency_key=key,
        operation=f"analysis:{key}",
    )


async def event_types(container: Container) -> list[str]:
    async with container.read_sessions() as session:
        return list(await session.scalars(select(OutboxMessage.type).order_by(OutboxMessage.position)))


async def test_short_work_captures_at_once(billing: Container) -> None:
    ws = await new_workspace(billing, "free")
    usage = await billing.mediator.send(charge(ws.id, "chat_message", 3, "m1"), SYSTEM)
    assert (usage.state, usage.credits, usage.unit_cost, usage.available_after) == ("captured", 3, 1, 197)
    pool = (await pools_of(billing, ws.id))["chat_message"]
    assert (pool.used, pool.reserved, pool.available) == (3, 0, 197)
    assert "CreditsCaptured" in await event_types(billing)
    await assert_books_balance(billing)


async def test_long_work_reserves_then_captures_what_it_used_and_the_rest_is_released(
    billing: Container,
) -> None:
    ws = await new_workspace(billing, "free")
    held = await billing.mediator.send(reserve(ws.id, 5, "job-1"), SYSTEM)  # 5 minutes x 10 credits
    assert (held.state, held.credits) == ("reserved", 50)
    assert (await pools_of(billing, ws.id))["video_analysis"].reserved == 50
    captured = await billing.mediator.send(
        CaptureCredits(workspace_id=ws.id, idempotency_key="job-1", quantity=3), SYSTEM
    )
    assert (captured.state, captured.credits, captured.quantity) == ("captured", 30, 3)
    pool = (await pools_of(billing, ws.id))["video_analysis"]
    assert (pool.used, pool.reserved, pool.available) == (30, 0, 270)
    again = await billing.mediator.send(
        CaptureCredits(workspace_id=ws.id, idempotency_key="job-1", quantity=3), SYSTEM
    )
    assert again == captured
    await billing.mediator.send(reserve(ws.id, 1, "job-2"), SYSTEM)
    with pytest.raises(InvalidInput):  # more than was reserved
        await billing.mediator.send(
            CaptureCredits(workspace_id=ws.id, idempotency_key="job-2", quantity=2), SYSTEM
        )
    await assert_books_balance(billing)


async def test_failed_or_cancelled_work_releases_everything(billing: Container) -> None:
    ws = await new_workspace(billing, "free")
    await billing.mediator.send(reserve(ws.id, 4, "job"), SYSTEM)
    released = await billing.mediator.send(ReleaseCredits(workspace_id=ws.id, idempotency_key="job"), SYSTEM)
    assert released.state == "released"
    pool = (await pools_of(billing, ws.id))["video_analysis"]
    assert (pool.used, pool.reserved, pool.available) == (0, 0, 300)
    with pytest.raises(Conflict):
        await billing.mediator.send(
            CaptureCredits(workspace_id=ws.id, idempotency_key="job", quantity=1), SYSTEM
        )
    assert "CreditsReleased" in await event_types(billing)
    await assert_books_balance(billing)


async def test_a_reservation_nobody_settles_expires_and_is_released(
    billing: Container, clock: ManualClock
) -> None:
    ws = await new_workspace(billing, "free")
    await billing.mediator.send(reserve(ws.id, 2, "stale"), SYSTEM)
    clock.advance(hours=1)
    await billing.mediator.send(reserve(ws.id, 1, "fresh"), SYSTEM)
    assert await billing.mediator.send(ExpireReservations(older_than_hours=0.5), SYSTEM) == 1
    async with billing.read_sessions() as session:
        states = {
            row[0]: row[1] for row in await session.execute(select(UsageLog.idempotency_key, UsageLog.state))
        }
    assert states == {"stale": "released", "fresh": "reserved"}
    assert (await pools_of(billing, ws.id))["video_analysis"].reserved == 10
    await assert_books_balance(billing)


async def test_the_same_key_twice_charges_once_and_returns_the_first_result(billing: Container) -> None:
    ws = await new_workspace(billing, "free")
    first = await billing.mediator.send(charge(ws.id, "search", 2, "same"), SYSTEM)
    second = await billing.mediator.send(charge(ws.id, "search", 2, "same"), SYSTEM)
    assert first == second
    assert (await pools_of(billing, ws.id))["search"].used == 2
    with pytest.raises(Conflict):
        await billing.mediator.send(charge(ws.id, "search", 5, "same"), SYSTEM)
    with pytest.raises(Conflict):
        await billing.mediator.send(reserve(ws.id, 1, "same"), SYSTEM)
    await assert_books_balance(billing)


async def test_not_enough_credits_is_402_naming_feature_needed_and_available_and_nothing_is_charged(
    billing: Container,
) -> None:
    ws = await new_workspace(billing, "free")
    await billing.mediator.send(charge(ws.id, "search", 95, "most"), SYSTEM)
    with pytest.raises(PaymentRequired) as refused:
        await billing.mediator.send(charge(ws.id, "search", 6, "too-much"), SYSTEM)
    assert refused.value.extra == {"feature": "search", "needed": 6, "available": 5}
    async with billing.read_sessions() as session:
        keys = set(await session.scalars(select(UsageLog.idempotency_key)))
    assert keys == {"most"}
    assert (await pools_of(billing, ws.id))["search"].available == 5
    await assert_books_balance(billing)


async def test_a_feature_the_tier_does_not_enable_is_403_naming_the_tiers_that_have_it(
    billing: Container,
) -> None:
    ws = await new_workspace(billing, "free")
    with pytest.raises(Forbidden) as refused:
        await billing.mediator.send(charge(ws.id, "text_recognition", 1, "ocr"), SYSTEM)
    assert refused.value.extra == {"feature": "text_recognition", "tiers": ["pro", "enterprise"]}
    with pytest.raises(InvalidInput):
        await billing.mediator.send(charge(ws.id, "teleportation", 1, "x"), SYSTEM)


async def test_the_monthly_grant_is_spent_before_purchased_credits(billing: Container) -> None:
    ws = await new_workspace(billing, "free")
    await billing.mediator.send(TopUpCredits(workspace_id=ws.id, feature="search", credits=50), SYSTEM)
    await billing.mediator.send(charge(ws.id, "search", 80, "a"), SYSTEM)
    pool = (await pools_of(billing, ws.id))["search"]
    assert (pool.used_from_grant, pool.used_from_purchased, pool.available) == (80, 0, 70)
    await billing.mediator.send(charge(ws.id, "search", 40, "b"), SYSTEM)
    pool = (await pools_of(billing, ws.id))["search"]
    assert (pool.used_from_grant, pool.used_from_purchased, pool.available) == (100, 20, 30)
    await assert_books_balance(billing)


async def test_top_ups_add_purchased_credits_once_per_key(billing: Container) -> None:
    ws = await new_workspace(billing, "free")
    buy = TopUpCredits(workspace_id=ws.id, feature="chat_message", credits=25, idempotency_key="order-1")
    first = await billing.mediator.send(buy, SYSTEM)
    assert await billing.mediator.send(buy, SYSTEM) == first
    assert (first.credits, first.available_after) == (25, 225)
    with pytest.raises(Conflict):
        await billing.mediator.send(
            TopUpCredits(workspace_id=ws.id, feature="search", credits=25, idempotency_key="order-1"), SYSTEM
        )
    assert (await pools_of(billing, ws.id))["chat_message"].purchased == 25
    with pytest.raises(Forbidden):
        await billing.mediator.send(
            TopUpCredits(workspace_id=ws.id, feature="text_recognition", credits=5), SYSTEM
        )
    assert "CreditsPurchased" in await event_types(billing)
    await assert_books_balance(billing)


async def test_credits_low_is_recorded_when_a_pool_falls_under_its_threshold(billing: Container) -> None:
    ws = await new_workspace(billing, "free")  # search: 100 credits, low under 10
    await billing.mediator.send(charge(ws.id, "search", 90, "a"), SYSTEM)
    assert "CreditsLow" not in await event_types(billing)
    await billing.mediator.send(charge(ws.id, "search", 1, "b"), SYSTEM)
    await billing.mediator.send(charge(ws.id, "search", 1, "c"), SYSTEM)
    assert (await event_types(billing)).count("CreditsLow") == 1


async def test_the_database_refuses_a_negative_balance_whatever_the_code_does(billing: Container) -> None:
    ws = await new_workspace(billing, "free")
    async with billing.sessions() as session:
        with pytest.raises(IntegrityError):
            await session.execute(
                update(CreditPool).where(CreditPool.workspace_id == ws.id).values(used=CreditPool.granted + 1)
            )
            await session.commit()


async def test_capture_and_release_of_an_unknown_reservation_is_404(billing: Container) -> None:
    ws = await new_workspace(billing, "free")
    with pytest.raises(NotFound):
        await billing.mediator.send(
            CaptureCredits(workspace_id=ws.id, idempotency_key="nope", quantity=1), SYSTEM
        )
    await billing.mediator.send(charge(ws.id, "search", 1, "charge"), SYSTEM)
    with pytest.raises(Conflict):
        await billing.mediator.send(ReleaseCredits(workspace_id=ws.id, idempotency_key="charge"), SYSTEM)
