"""Analytics queries."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from pydantic import BaseModel
from sqlalchemy import func, select

from visionscope.building_blocks.errors import InvalidInput
from visionscope.building_blocks.messages import Query, Role, in_workspace
from visionscope.building_blocks.uow import UnitOfWork
from visionscope.clock import Clock
from visionscope.features.analytics.handlers import hour_of
from visionscope.features.analytics.models import (
    WHOLE_ANALYSIS,
    ActivityCount,
    AnalysisSeconds,
    CreditConsumption,
    VideosProcessed,
)
from visionscope.features.analytics.schemas import (
    CreditHourRead,
    StageTimeRead,
    VideoDayRead,
    WorkspaceFiguresRead,
)

DEFAULT_SPAN = timedelta(days=7)


class ActivityRead(BaseModel):
    day: date
    event_type: str
    count: int


@dataclass(frozen=True, kw_only=True)
class GetActivity(Query[list[ActivityRead]]):
    """What happened in a workspace, counted by day and event type."""

    access = in_workspace(Role.ADMIN)
    workspace_id: uuid.UUID


async def get_activity(query: GetActivity, *, uow: UnitOfWork) -> list[ActivityRead]:
    rows = await uow.session.scalars(
        select(ActivityCount)
        .where(ActivityCount.workspace == str(query.workspace_id))
        .order_by(ActivityCount.day, ActivityCount.event_type)
    )
    return [ActivityRead(day=r.day, event_type=r.event_type, count=r.count) for r in rows]


@dataclass(frozen=True, kw_only=True)
class GetWorkspaceFigures(Query[WorkspaceFiguresRead]):
    """A workspace's business figures in [start, end) (the last 7 days by default): credits consumed
    and their value per hour, videos processed per day; processing time per stage since the start."""

    access = in_workspace(Role.ADMIN)
    workspace_id: uuid.UUID
    start: datetime | None = None
    end: datetime | None = None


async def get_workspace_figures(
    query: GetWorkspaceFigures, *, uow: UnitOfWork, clock: Clock
) -> WorkspaceFiguresRead:
    end = query.end or hour_of(clock()) + timedelta(hours=1)
    start = query.start or end - DEFAULT_SPAN
    if start >= end:
        raise InvalidInput(
            "The figures' start must come before their end.",
            errors=[{"field": "from", "message": "not before to"}],
        )
    workspace = str(query.workspace_id)
    session = uow.session
    hours = [
        CreditHourRead(hour=r.hour, feature=r.feature, credits=r.credits, value_cents=round(r.value_cents, 4))
        for r in await session.scalars(
            select(CreditConsumption)
            .where(
                CreditConsumption.workspace == workspace,
                CreditConsumption.hour >= hour_of(start),
                CreditConsumption.hour < end,
            )
            .order_by(CreditConsumption.hour, CreditConsumption.feature)
        )
    ]
    videos = [
        VideoDayRead(day=r.day, outcome=r.outcome, videos=r.videos, video_seconds=r.video_seconds)
        for r in await session.scalars(
            select(VideosProcessed)
            .where(
                VideosProcessed.workspace == workspace,
                VideosProcessed.day >= start.date(),
                VideosProcessed.day <= end.date(),
            )
            .order_by(VideosProcessed.day, VideosProcessed.outcome)
        )
    ]
    stages = await session.execute(
        select(AnalysisSeconds.stage, func.sum(AnalysisSeconds.count), func.sum(AnalysisSeconds.seconds))
        .where(AnalysisSeconds.workspace == workspace)
        .group_by(AnalysisSeconds.stage)
        .order_by(AnalysisSeconds.stage)
    )
    processing = [
        StageTimeRead(
            stage="all" if stage == WHOLE_ANALYSIS else stage,
            analyses=int(count or 0),
            total_seconds=round(float(seconds or 0.0), 3),
            average_seconds=round(float(seconds or 0.0) / int(count), 3) if count else 0.0,
        )
        for stage, count, seconds in stages
    ]
    return WorkspaceFiguresRead(
        workspace_id=query.workspace_id,
        start=start,
        end=end,
        credits=sum(h.credits for h in hours),
        value_cents=round(sum(h.value_cents for h in hours), 4),
        credits_by_hour=hours,
        videos=videos,
        processing=processing,
    )
