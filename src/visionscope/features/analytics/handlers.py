"""Analytics consumers: fold business events into small tables of figures."""

from __future__ import annotations

import asyncio
import math
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from visionscope.building_blocks.db import Base, dialect_name
from visionscope.building_blocks.errors import InvalidInput
from visionscope.building_blocks.messages import Event
from visionscope.building_blocks.storage import Storage
from visionscope.building_blocks.uow import UnitOfWork
from visionscope.clock import Clock
from visionscope.features.analytics.models import (
    NO_WORKSPACE,
    WHOLE_ANALYSIS,
    ActivityCount,
    AnalysisSeconds,
    CreditConsumption,
    VideosProcessed,
)
from visionscope.features.analytics.queries import (
    DEFAULT_SPAN,
    ActivityRead,
    GetActivity,
    GetWorkspaceFigures,
)
from visionscope.features.analytics.schemas import (
    CreditHourRead,
    StageTimeRead,
    VideoDayRead,
    WorkspaceFiguresRead,
)
from visionscope.features.analytics.sources import stage_seconds
from visionscope.features.billing.events import CreditsCaptured
from visionscope.features.videos.events import VideoAnalysed, VideoAnalysisFailed
from visionscope.features.videos.public import work_key

# Upper bounds of the processing-time buckets, in seconds (a stage takes seconds, a long video an hour).
ANALYSIS_BUCKETS = (
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
    30.0,
    60.0,
    120.0,
    300.0,
    600.0,
    1200.0,
    1800.0,
    3600.0,
    math.inf,
)

CentsPerCredit = Callable[[UnitOfWork, CreditsCaptured], Awaitable[float]]


_UPSERTS: dict[tuple[str, type[Base], tuple[str, ...], tuple[str, ...]], Any] = {}


def _upsert(dialect: str, table: type[Base], keys: tuple[str, ...], amounts: tuple[str, ...]) -> Any:
    """The statement, built once per shape with bound parameters: building and compiling it for
    every event cost more than running it."""
    shape = (dialect, table, keys, amounts)
    statement = _UPSERTS.get(shape)
    if statement is None:
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        built = insert(table).values({name: bindparam(name) for name in (*keys, *amounts)})
        statement = _UPSERTS[shape] = built.on_conflict_do_update(
            index_elements=list(keys),
            set_={name: getattr(table, name) + built.excluded[name] for name in amounts},
        )
    return statement


async def add_to(
    uow: UnitOfWork, table: type[Base], key: Mapping[str, Any], amounts: Mapping[str, Any]
) -> None:
    """Insert a row of figures, or add ``amounts`` to the row that has this ``key``."""
    statement = _upsert(dialect_name(uow.session), table, tuple(key), tuple(amounts))
    await uow.session.execute(statement, {**key, **amounts})


def _activity_key(event: Event) -> tuple[str, date, str]:
    workspace = str(event.workspace) if event.workspace else NO_WORKSPACE
    return workspace, event.occurred_at.date(), type(event).__name__


async def count_activity(event: Event, uow: UnitOfWork) -> None:
    """Add one to the count of this event's type for its workspace and day."""
    await count_activities([event], uow)


async def count_activities(events: Sequence[Event], uow: UnitOfWork) -> None:
    """Add each event to the count of its type for its workspace and day: one statement for all,
    one row for each count (in key order, so that concurrent batches lock rows in the same order)."""
    counts = Counter(_activity_key(event) for event in events)
    statement = _upsert(
        dialect_name(uow.session), ActivityCount, ("workspace", "day", "event_type"), ("count",)
    )
    rows = [
        {"workspace": workspace, "day": day, "event_type": event_type, "count": count}
        for (workspace, day, event_type), count in sorted(counts.items())
    ]
    await uow.session.execute(statement, rows)


def hour_of(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def le_label(bound: float) -> str:
    """A bucket's upper bound as Prometheus writes it in the ``le`` label."""
    return "+Inf" if math.isinf(bound) else repr(float(bound))


def bucket_of(seconds: float) -> str:
    """The label of the smallest bucket bound at or above ``seconds``."""
    return le_label(next(bound for bound in ANALYSIS_BUCKETS if seconds <= bound))


def credits_consumed(cents_per_credit: CentsPerCredit) -> Callable[[Event, UnitOfWork], Awaitable[None]]:
    """Credits captured, and their value, into the workspace's hour."""

    async def fold(event: Event, uow: UnitOfWork) -> None:
        assert isinstance(event, CreditsCaptured)
        value = event.credits * await cents_per_credit(uow, event)
        await add_to(
            uow,
            CreditConsumption,
            {
                "workspace": str(event.workspace_id),
                "hour": hour_of(event.occurred_at),
                "feature": event.feature,
            },
            {"credits": event.credits, "value_cents": value},
        )

    return fold


async def _time_taken(uow: UnitOfWork, workspace: str, stage: str, seconds: float) -> None:
    await add_to(
        uow,
        AnalysisSeconds,
        {"workspace": workspace, "stage": stage, "le": bucket_of(seconds)},
        {"count": 1, "seconds": seconds},
    )


def video_analyzed(storage: Storage) -> Callable[[Event, UnitOfWork], Awaitable[None]]:
    """A video processed, the whole analysis's time, and each stage's time from its stage file."""

    async def fold(event: Event, uow: UnitOfWork) -> None:
        assert isinstance(event, VideoAnalysed)
        workspace = str(event.workspace_id)
        await add_to(
            uow,
            VideosProcessed,
            {"workspace": workspace, "day": event.occurred_at.date(), "outcome": "analysed"},
            {"videos": 1, "video_seconds": event.duration},
        )
        await _time_taken(uow, workspace, WHOLE_ANALYSIS, event.processing_seconds)
        stages = await asyncio.to_thread(stage_seconds, storage.path(work_key(event.video_id)))
        for stage, seconds in sorted(stages.items()):
            await _time_taken(uow, workspace, stage, seconds)

    return fold


async def video_failed(event: Event, uow: UnitOfWork) -> None:
    assert isinstance(event, VideoAnalysisFailed)
    await add_to(
        uow,
        VideosProcessed,
        {"workspace": str(event.workspace_id), "day": event.occurred_at.date(), "outcome": "failed"},
        {"videos": 1, "video_seconds": 0.0},
    )


async def get_activity(query: GetActivity, *, uow: UnitOfWork) -> list[ActivityRead]:
    rows = await uow.session.scalars(
        select(ActivityCount)
        .where(ActivityCount.workspace == str(query.workspace_id))
        .order_by(ActivityCount.day, ActivityCount.event_type)
    )
    return [ActivityRead(day=r.day, event_type=r.event_type, count=r.count) for r in rows]


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
