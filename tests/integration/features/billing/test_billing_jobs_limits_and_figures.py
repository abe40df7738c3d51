"""The scheduled billing jobs, the limit checks other features call, business figures, and billing
events travelling through the outbox to their consumers."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.billing_support import SYSTEM, ManualClock, new_workspace, pools_of
from visionscope import jobs
from visionscope.bootstrap import Container
from visionscope.building_blocks.errors import Forbidden, NotFound, TooLarge
from visionscope.building_blocks.mediator import Context
from visionscope.building_blocks.messages import UserActor
from visionscope.building_blocks.outbox import EventTypes, OutboxMessage, envelope_of
from visionscope.features.analytics.models import ActivityCount
from visionscope.features.billing import events
from visionscope.features.billing.commands import (
    CaptureCredits,
    ChangeTier,
    ChargeCredits,
    ExpireReservations,
    RenewPeriods,
    ReserveCredits,
)
from visionscope.features.billing.public import (
    check_limit,
    offered_features,
    require_feature,
    tier_limits,
)
from visionscope.features.billing.queries import GetBusinessFigures
from visionscope.features.workspaces.public import tier_of
from visionscope.runtime import EmbeddedRuntime


class NoBroker:
    async def publish(self, deliveries: object) -> None:
        raise AssertionError("billing jobs publish nothing themselves")


def reserve(workspace_id: uuid.UUID, key: str, minutes: int = 2) -> ReserveCredits:
    return ReserveCredits(
        workspace_id=workspace_id,
        feature="video_analysis",
        quantity=minutes,
        idempotency_key=key,
        operation=key,
    )


async def test_the_scheduler_runs_reservation_expiry_and_period_renewal(
    billing: Container, clock: ManualClock
) -> None:
    names = {job.name: job for job in jobs.JOBS}
    assert names["billing.expire_reservations"].queue == names["billing.renew_periods"].queue == "billing"
    ws = await new_workspace(billing, "free")
    await billing.mediator.send(reserve(ws.id, "job"), SYSTEM)
    assert await jobs.expire_reservations(billing, NoBroker()) == 0
    clock.advance(hours=13)
    assert await jobs.expire_reservations(billing, NoBroker()) == 1
    assert (await pools_of(billing, ws.id))["video_analysis"].reserved == 0
    assert await jobs.renew_periods(billing, NoBroker()) == 0
    clock.now = ws.period_end + timedelta(minutes=1)
    assert await jobs.renew_periods(billing, NoBroker()) == 1


async def test_the_scheduler_commands_cannot_be_sent_by_callers(billing: Container) -> None:
    ws = await new_workspace(billing, "free")
    caller = Context(actor=UserActor(ws.owner_id))
    for command in (ExpireReservations(), RenewPeriods()):
        with pytest.raises(Forbidden):
            await billing.mediator.send(command, caller)


async def test_limit_checks_name_the_limit_with_403_or_413(billing: Container) -> None:
    ws = await new_workspace(billing, "free")
    async with billing.read_sessions() as session:
        limits = await tier_limits(session, ws.id)
        assert limits == {"max_video_minutes": 10, "max_upload_mb": 200, "max_collaborators": 3}
        await check_limit(session, ws.id, "max_upload_mb", 200)
        await check_limit(session, ws.id, "max_pixels", 10**9)  # no such limit: no check
        with pytest.raises(TooLarge) as too_large:
            await check_limit(session, ws.id, "max_upload_mb", 201)
        assert too_large.value.extra == {
            "limit": "max_upload_mb",
            "maximum": 200,
            "value": 201,
            "tier": "free",
        }
        with pytest.raises(Forbidden) as too_long:
            await check_limit(session, ws.id, "max_video_minutes", 11)
        assert too_long.value.extra["limit"] == "max_video_minutes"
        await require_feature(session, ws.id, "video_analysis")
        with pytest.raises(Forbidden) as refused:
            await require_feature(session, ws.id, "text_recognition")
        assert refused.value.extra == {"feature": "text_recognition", "tiers": ["pro", "enterprise"]}
        with pytest.raises(NotFound):
            await tier_limits(session, uuid.uuid4())
        offered = await offered_features(session, await _tier(billing, ws.id))
        assert set(offered) == {"video_analysis", "transcription", "chat_message", "search", "seats"}


async def _tier(container: Container, workspace_id: uuid.UUID) -> uuid.UUID:
    async with container.read_sessions() as session:
        found = await tier_of(session, workspace_id)
    assert found is not None
    return found


async def test_business_figures_count_credits_their_value_per_hour_videos_and_processing_time(
    billing: Container, clock: ManualClock
) -> None:
    start = clock.now - timedelta(hours=1)
    pro = await new_workspace(billing, "pro")
    free = await new_workspace(billing, "free")
    for ws in (pro, free):
        await billing.mediator.send(reserve(ws.id, "video-1"), SYSTEM)
    clock.advance(minutes=3)
    for ws in (pro, free):
        await billing.mediator.send(
            CaptureCredits(workspace_id=ws.id, idempotency_key="video-1", quantity=2), SYSTEM
        )
    await billing.mediator.send(
        ChargeCredits(
            workspace_id=pro.id, feature="chat_message", quantity=5, idempotency_key="m", operation="chat"
        ),
        SYSTEM,
    )
    figures = await billing.mediator.send(
        GetBusinessFigures(start=start, end=clock.now + timedelta(hours=1)), SYSTEM
    )
    assert sum(h.credits for h in figures.hours) == 20 + 20 + 5
    pro_credits = 6000 + 3000 + 3000 + 5000 + 2000 + 10
    assert sum(h.value_cents for h in figures.hours) == pytest.approx((20 + 5) * 4900 / pro_credits, rel=1e-3)
    assert {v.workspace_id: v.videos for v in figures.videos} == {pro.id: 1, free.id: 1}
    assert [(p.feature, p.operations) for p in figures.processing] == [("video_analysis", 2)]
    assert figures.processing[0].average_seconds == pytest.approx(180.0, abs=1.0)
    with pytest.raises(Forbidden):
        await billing.mediator.send(
            GetBusinessFigures(start=start, end=clock.now), Context(actor=UserActor(pro.owner_id))
        )


def test_billing_events_have_unique_names_and_include_those_of_the_issue() -> None:
    assert {e.__name__ for e in events.EVENTS} >= {
        "CreditsReserved",
        "CreditsCaptured",
        "CreditsReleased",
        "CreditsLow",
        "TierChanged",
        "PeriodRenewed",
    }
    EventTypes(events.EVENTS)  # names are unique


async def test_billing_events_are_relayed_and_consumed(billing: Container, clock: ManualClock) -> None:
    runtime = EmbeddedRuntime(billing)
    await runtime.start()
    try:
        ws = await new_workspace(billing, "free")
        await billing.mediator.send(
            ChargeCredits(
                workspace_id=ws.id, feature="search", quantity=95, idempotency_key="s", operation="s"
            ),
            SYSTEM,
        )
        await billing.mediator.send(ChangeTier(workspace_id=ws.id, tier="pro"), SYSTEM)
        clock.now = ws.period_end
        await billing.mediator.send(RenewPeriods(), SYSTEM)
        await runtime.settle()
    finally:
        await runtime.stop()
    async with billing.read_sessions() as session:
        counted = {
            row[0]: row[1]
            for row in await session.execute(
                select(ActivityCount.event_type, ActivityCount.count).where(
                    ActivityCount.workspace == str(ws.id)
                )
            )
        }
        rows = (await session.scalars(select(OutboxMessage).where(OutboxMessage.workspace_id == ws.id))).all()
    for kind in ("CreditsCaptured", "CreditsLow", "TierChanged", "CreditsGranted", "PeriodRenewed"):
        assert counted.get(kind, 0) >= 1, (kind, counted)
    decoder = EventTypes(events.EVENTS)
    for row in rows:
        if row.type in decoder:
            assert decoder.decode(envelope_of(row)).event_id == row.event_id
