"""Analytics routes."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter

from visionscope.building_blocks.web import ContextDep, MediatorDep, page_of
from visionscope.features.analytics.queries import GetActivity

router = APIRouter(prefix="/v1", tags=["analytics"])


@router.get("/workspaces/{workspace_id}/activity")
async def workspace_activity(
    workspace_id: uuid.UUID, mediator: MediatorDep, ctx: ContextDep
) -> dict[str, Any]:
    """Counts of what happened in the workspace (events relayed through the outbox), by day and type."""
    return page_of(await mediator.send(GetActivity(workspace_id=workspace_id), ctx), None)
