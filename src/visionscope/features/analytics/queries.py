"""Analytics queries."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel
from sqlalchemy import select

from visionscope.building_blocks.messages import Query, Role, in_workspace
from visionscope.building_blocks.uow import UnitOfWork
from visionscope.features.analytics.models import ActivityCount


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
