"""Analytics routes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from visionscope.building_blocks.web import ContextDep, MediatorDep, page_of
from visionscope.features.analytics.queries import GetActivity, GetWorkspaceFigures
from visionscope.features.analytics.schemas import WorkspaceFiguresRead

router = APIRouter(prefix="/v1", tags=["analytics"])


@router.get("/workspaces/{workspace_id}/activity")
async def workspace_activity(
    workspace_id: uuid.UUID, mediator: MediatorDep, ctx: ContextDep
) -> dict[str, Any]:
    """Counts of what happened in the workspace (events relayed through the outbox), by day and type."""
    return page_of(await mediator.send(GetActivity(workspace_id=workspace_id), ctx), None)


@router.get("/workspaces/{workspace_id}/figures")
async def workspace_figures(
    workspace_id: uuid.UUID,
    mediator: MediatorDep,
    ctx: ContextDep,
    start: Annotated[datetime | None, Query(alias="from")] = None,
    end: Annotated[datetime | None, Query(alias="to")] = None,
) -> WorkspaceFiguresRead:
    """Business figures of the workspace (admins): credits consumed and their value per hour, videos
    processed per day, analysis time per stage. Platform-wide figures are on ``/metrics``."""
    return await mediator.send(GetWorkspaceFigures(workspace_id=workspace_id, start=start, end=end), ctx)
