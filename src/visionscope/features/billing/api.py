"""Billing routes: the catalog, credit pools and statements, top-ups, usage, tier changes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response, status

from visionscope.building_blocks.messages import acting_user
from visionscope.building_blocks.web import ContextDep, MediatorDep, PageDep, page_of
from visionscope.features.billing.commands import CancelTierChange, ChangeTier, ChargeCredits, TopUpCredits
from visionscope.features.billing.queries import GetCreditPools, GetStatement, GetTiers, GetUsage
from visionscope.features.billing.reports import usage_csv
from visionscope.features.billing.schemas import (
    PurchaseRead,
    StatementRead,
    TierChoice,
    TopUpCreate,
    UsageCreate,
    UsageRead,
    UsageReportRead,
)
from visionscope.features.billing.statements import group_totals
from visionscope.features.workspaces.queries import GetWorkspace
from visionscope.features.workspaces.schemas import WorkspaceRead

router = APIRouter(prefix="/v1", tags=["billing"])
CSV = "text/csv"


@router.get("/tiers")
async def list_tiers(mediator: MediatorDep, ctx: ContextDep) -> dict[str, Any]:
    """The tiers open to new workspaces, with their features grouped."""
    return page_of(await mediator.send(GetTiers(), ctx), None)


@router.get("/workspaces/{workspace_id}/credits")
async def list_credit_pools(
    workspace_id: uuid.UUID, mediator: MediatorDep, ctx: ContextDep
) -> dict[str, Any]:
    """The workspace's credit pools, and their totals by feature group."""
    pools = await mediator.send(GetCreditPools(workspace_id=workspace_id), ctx)
    return {**page_of(pools, None), "groups": group_totals(pools)}


@router.get("/workspaces/{workspace_id}/credits/{feature}/statement")
async def credit_statement(
    workspace_id: uuid.UUID, feature: str, page: PageDep, mediator: MediatorDep, ctx: ContextDep
) -> StatementRead:
    """Every grant, purchase, reservation, capture, release and expiry of a pool, oldest first."""
    return await mediator.send(
        GetStatement(workspace_id=workspace_id, feature=feature, limit=page.limit, cursor=page.cursor), ctx
    )


@router.post("/workspaces/{workspace_id}/credits/top-ups", status_code=status.HTTP_201_CREATED)
async def top_up(
    workspace_id: uuid.UUID, body: TopUpCreate, mediator: MediatorDep, ctx: ContextDep
) -> PurchaseRead:
    """Buy credits for a feature; send an Idempotency-Key so that a retry buys once."""
    return await mediator.send(
        TopUpCredits(
            workspace_id=workspace_id,
            feature=body.feature,
            credits=body.credits,
            idempotency_key=ctx.idempotency_key,
            purchased_by=acting_user(ctx.actor),
        ),
        ctx,
    )


@router.post("/workspaces/{workspace_id}/usage", status_code=status.HTTP_201_CREATED)
async def record_usage(
    workspace_id: uuid.UUID, body: UsageCreate, mediator: MediatorDep, ctx: ContextDep
) -> UsageRead:
    """Meter an operation done outside VisionScope; send an Idempotency-Key so that a retry charges once."""
    return await mediator.send(
        ChargeCredits(
            workspace_id=workspace_id,
            feature=body.feature,
            quantity=body.quantity,
            idempotency_key=ctx.idempotency_key or f"unkeyed:{uuid.uuid4()}",
            operation=body.operation,
            user_id=acting_user(ctx.actor),
            project_id=body.project_id,
        ),
        ctx,
    )


@router.get("/workspaces/{workspace_id}/usage", response_model=None)
async def usage_report(
    workspace_id: uuid.UUID,
    request: Request,
    mediator: MediatorDep,
    ctx: ContextDep,
    start: Annotated[datetime | None, Query(alias="from")] = None,
    end: Annotated[datetime | None, Query(alias="to")] = None,
    group_by: Literal["feature", "group", "project", "user", "day"] = "feature",
    format: Literal["json", "csv"] | None = None,
) -> UsageReportRead | Response:
    """Captured usage over a period (the current one by default).

    CSV with ``Accept: text/csv`` or ``?format=csv``.
    """
    report = await mediator.send(
        GetUsage(workspace_id=workspace_id, group_by=group_by, start=start, end=end), ctx
    )
    if format == "csv" or (format is None and CSV in request.headers.get("accept", "")):
        return Response(
            usage_csv(report),
            media_type=f"{CSV}; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="usage-{group_by}.csv"'},
        )
    return report


@router.post("/workspaces/{workspace_id}/tier")
async def change_tier(
    workspace_id: uuid.UUID, body: TierChoice, mediator: MediatorDep, ctx: ContextDep
) -> WorkspaceRead:
    """Upgrade now, or schedule a downgrade for the end of the period; answers the workspace."""
    await mediator.send(
        ChangeTier(workspace_id=workspace_id, tier=body.tier, requested_by=acting_user(ctx.actor)), ctx
    )
    return await _workspace(workspace_id, mediator, ctx)


@router.delete("/workspaces/{workspace_id}/tier/pending")
async def cancel_tier_change(
    workspace_id: uuid.UUID, mediator: MediatorDep, ctx: ContextDep
) -> WorkspaceRead:
    """Cancel a scheduled downgrade; answers the workspace."""
    await mediator.send(CancelTierChange(workspace_id=workspace_id), ctx)
    return await _workspace(workspace_id, mediator, ctx)


async def _workspace(workspace_id: uuid.UUID, mediator: MediatorDep, ctx: ContextDep) -> WorkspaceRead:
    assert ctx.actor is not None  # the command before this one required an actor
    return await mediator.send(GetWorkspace(workspace_id=workspace_id, actor=ctx.actor), ctx)
