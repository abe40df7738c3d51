"""Billing routes (the catalog for now)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from visionscope.building_blocks.web import ContextDep, MediatorDep, page_of
from visionscope.features.billing.queries import GetTiers

router = APIRouter(prefix="/v1", tags=["billing"])


@router.get("/tiers")
async def list_tiers(mediator: MediatorDep, ctx: ContextDep) -> dict[str, Any]:
    """The tiers open to new workspaces, with their features grouped."""
    return page_of(await mediator.send(GetTiers(), ctx), None)
