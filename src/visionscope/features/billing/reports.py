"""Reports: usage by feature, group, project, user or day; business figures for the analytics side."""

from __future__ import annotations

import csv
import io
import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import exists, func, select

from visionscope.building_blocks.errors import InvalidInput, NotFound
from visionscope.building_blocks.uow import UnitOfWork
from visionscope.features.billing import accounts
from visionscope.features.billing.models import (
    FeatureDefinition,
    LedgerEntry,
    TierFeature,
    UsageLog,
    UsageState,
)
from visionscope.features.billing.offers import tier_by_id
from visionscope.features.billing.queries import GetBusinessFigures, GetUsage
from visionscope.features.billing.schemas import (
    BusinessFiguresRead,
    HourFiguresRead,
    ProcessingTimeRead,
    UsageReportRead,
    UsageRowRead,
    WorkspaceVideosRead,
)
from visionscope.features.billing.sql import day_of, hour_of, parse_hour, seconds_between
from visionscope.features.identity.public import user_profiles

VIDEO_FEATURE = "video_analysis"


def _key(query: GetUsage, uow: UnitOfWork) -> Any:
    columns: dict[str, Any] = {
        "feature": FeatureDefinition.key,
        "group": FeatureDefinition.group,
        "project": UsageLog.project_id,
        "user": UsageLog.user_id,
        "day": day_of(uow.session, UsageLog.created_at),
    }
    return columns[query.group_by]


async def _labels(query: GetUsage, uow: UnitOfWork, keys: list[Any]) -> dict[Any, str]:
    ids = [k for k in keys if isinstance(k, uuid.UUID)]
    if query.group_by == "project":
        return dict(await accounts.project_names(uow.session, ids))
    if query.group_by == "user":
        return {user_id: name for user_id, (name, _) in (await user_profiles(uow.session, ids)).items()}
    if query.group_by == "feature":
        rows = await uow.session.execute(
            select(FeatureDefinition.key, FeatureDefinition.name).where(FeatureDefinition.key.in_(keys))
        )
        return {row[0]: row[1] for row in rows}
    return {}


async def usage(uow: UnitOfWork, query: GetUsage) -> UsageReportRead:
    """Captured usage of a workspace in [start, end) (its current period by default), grouped."""
    account = await accounts.account(uow.session, query.workspace_id)
    if account is None:
        raise NotFound(f"No workspace with id {query.workspace_id}.")
    start = query.start or account.period_start
    end = query.end or account.period_end
    if start >= end:
        raise InvalidInput(
            "The report's start must come before its end.",
            errors=[{"field": "from", "message": "not before to"}],
        )
    key = _key(query, uow)
    rows = (
        await uow.session.execute(
            select(key, func.count(), func.sum(UsageLog.quantity), func.sum(UsageLog.credits))
            .join(FeatureDefinition, FeatureDefinition.id == UsageLog.feature_id)
            .where(
                UsageLog.workspace_id == query.workspace_id,
                UsageLog.state == UsageState.CAPTURED,
                UsageLog.created_at >= start,
                UsageLog.created_at < end,
            )
            .group_by(key)
        )
    ).all()
    labels = await _labels(query, uow, [row[0] for row in rows])
    report = [
        UsageRowRead(
            key=str(row[0]) if row[0] is not None else "none",
            label=labels.get(row[0], str(row[0]) if row[0] is not None else "none"),
            operations=int(row[1]),
            quantity=int(row[2] or 0),
            credits=int(row[3] or 0),
        )
        for row in rows
    ]
    report.sort(key=lambda r: r.key)
    return UsageReportRead(start=start, end=end, group_by=query.group_by, rows=report)


# A spreadsheet runs a cell that starts with one of these as a formula (=HYPERLINK(...) and so on).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert_cell(value: object) -> object:
    """A text cell a spreadsheet shows as text: one that would start a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def usage_csv(report: UsageReportRead) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([report.group_by, "label", "operations", "quantity", "credits"])
    for row in report.rows:
        writer.writerow(
            [inert_cell(row.key), inert_cell(row.label), row.operations, row.quantity, row.credits]
        )
    return out.getvalue()


async def _cents_per_credit(uow: UnitOfWork, tier_ids: set[uuid.UUID]) -> dict[uuid.UUID, float]:
    """A tier's price spread over the credits it grants each month: the value of one credit."""
    values: dict[uuid.UUID, float] = {}
    for tier_id in tier_ids:
        tier = await tier_by_id(uow.session, tier_id)
        credits = await uow.session.scalar(
            select(func.coalesce(func.sum(TierFeature.monthly_credits), 0)).where(
                TierFeature.tier_id == tier_id, TierFeature.enabled
            )
        )
        values[tier_id] = tier.monthly_price_cents / int(credits) if credits else 0.0
    return values


async def business_figures(uow: UnitOfWork, query: GetBusinessFigures) -> BusinessFiguresRead:
    """Credits consumed and their value per hour, videos per workspace, processing time per feature."""
    session = uow.session
    captured = (
        UsageLog.state == UsageState.CAPTURED,
        UsageLog.settled_at >= query.start,
        UsageLog.settled_at < query.end,
    )
    hour = hour_of(session, UsageLog.settled_at)
    per_hour = (
        await session.execute(
            select(hour, UsageLog.workspace_id, func.sum(UsageLog.credits))
            .where(*captured)
            .group_by(hour, UsageLog.workspace_id)
        )
    ).all()
    tiers = await accounts.tiers_of(session, sorted({row[1] for row in per_hour}))
    value = await _cents_per_credit(uow, set(tiers.values()))
    credits: dict[str, int] = defaultdict(int)
    cents: dict[str, float] = defaultdict(float)
    for bucket, workspace_id, total in per_hour:
        credits[bucket] += int(total or 0)
        cents[bucket] += int(total or 0) * value.get(tiers.get(workspace_id, uuid.UUID(int=0)), 0.0)
    videos = await session.execute(
        select(UsageLog.workspace_id, func.count())
        .join(FeatureDefinition, FeatureDefinition.id == UsageLog.feature_id)
        .where(*captured, FeatureDefinition.key == VIDEO_FEATURE)
        .group_by(UsageLog.workspace_id)
        .order_by(UsageLog.workspace_id)
    )
    was_reserved = exists().where(LedgerEntry.usage_id == UsageLog.id, LedgerEntry.kind == "reservation")
    processing = await session.execute(
        select(
            FeatureDefinition.key,
            func.count(),
            func.avg(seconds_between(session, UsageLog.created_at, UsageLog.settled_at)),
        )
        .join(FeatureDefinition, FeatureDefinition.id == UsageLog.feature_id)
        .where(*captured, was_reserved)
        .group_by(FeatureDefinition.key)
        .order_by(FeatureDefinition.key)
    )
    return BusinessFiguresRead(
        start=query.start,
        end=query.end,
        hours=[
            HourFiguresRead(hour=parse_hour(b), credits=credits[b], value_cents=round(cents[b], 4))
            for b in sorted(credits)
        ],
        videos=[WorkspaceVideosRead(workspace_id=row[0], videos=int(row[1])) for row in videos],
        processing=[
            ProcessingTimeRead(feature=row[0], operations=int(row[1]), average_seconds=float(row[2] or 0.0))
            for row in processing
        ],
    )
