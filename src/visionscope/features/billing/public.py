"""What other features may ask of the catalog inside their own transaction."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from visionscope.features.billing.models import PricingTier


async def active_tier_id(session: AsyncSession, key: str) -> uuid.UUID | None:
    """The id of the active tier with this key, or None."""
    found: uuid.UUID | None = await session.scalar(
        select(PricingTier.id).where(PricingTier.key == key, PricingTier.is_active)
    )
    return found


async def tier_key(session: AsyncSession, tier_id: uuid.UUID) -> str:
    key: str = (await session.scalar(select(PricingTier.key).where(PricingTier.id == tier_id))) or ""
    return key
