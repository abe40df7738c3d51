"""Billing queries: the tiers on offer, a workspace's credit pools, statements and usage, and the
business figures across workspaces."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, ClassVar, Literal

from pydantic import Field, StringConstraints

from visionscope.building_blocks.caching import CATALOG, WORKSPACE, CachePolicy
from visionscope.building_blocks.messages import ANONYMOUS, SYSTEM_ONLY, Query, Role, in_workspace
from visionscope.features.billing.schemas import (
    BusinessFiguresRead,
    PoolRead,
    StatementRead,
    TierRead,
    UsageReportRead,
)

GroupBy = Literal["feature", "group", "project", "user", "day"]


@dataclass(frozen=True, kw_only=True)
class GetTiers(Query[list[TierRead]]):
    """The active tiers with their enabled features, grouped."""

    access = ANONYMOUS
    cache: ClassVar[CachePolicy] = CachePolicy(ttl=60, tags=(CATALOG,))


@dataclass(frozen=True, kw_only=True)
class GetCreditPools(Query[list[PoolRead]]):
    """A workspace's credit pools (active and frozen), by group and feature."""

    access = in_workspace(Role.VIEWER)
    cache: ClassVar[CachePolicy] = CachePolicy(ttl=60, tags=(WORKSPACE, CATALOG))
    workspace_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class GetStatement(Query[StatementRead]):
    """A pool's statement, oldest line first; ``cursor`` is the number of the last line seen."""

    access = in_workspace(Role.VIEWER)
    workspace_id: uuid.UUID
    feature: Annotated[str, StringConstraints(min_length=1, max_length=60)]
    limit: Annotated[int, Field(ge=1, le=500)] = 100
    cursor: str | None = None


@dataclass(frozen=True, kw_only=True)
class GetUsage(Query[UsageReportRead]):
    """Captured usage of a workspace in [start, end) (its current period by default), grouped."""

    access = in_workspace(Role.ADMIN)
    workspace_id: uuid.UUID
    group_by: GroupBy = "feature"
    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class GetBusinessFigures(Query[BusinessFiguresRead]):
    """Across workspaces: credits consumed and their value per hour, videos processed per workspace,
    processing time per feature. For operators and the analytics side: sent with a system context."""

    access = SYSTEM_ONLY
    start: datetime
    end: datetime
