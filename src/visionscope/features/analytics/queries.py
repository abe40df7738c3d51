"""Analytics queries."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from pydantic import BaseModel

from visionscope.building_blocks.messages import Query, Role, in_workspace
from visionscope.features.analytics.schemas import (
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


@dataclass(frozen=True, kw_only=True)
class GetWorkspaceFigures(Query[WorkspaceFiguresRead]):
    """A workspace's business figures in [start, end) (the last 7 days by default): credits consumed
    and their value per hour, videos processed per day; processing time per stage since the start."""

    access = in_workspace(Role.ADMIN)
    workspace_id: uuid.UUID
    start: datetime | None = None
    end: datetime | None = None
