"""The pricing catalog: a versioned file of tiers and features, loaded into the catalog tables."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from visionscope.building_blocks.messages import Command
from visionscope.building_blocks.uow import UnitOfWork
from visionscope.features.billing.models import FeatureDefinition, PricingTier, TierFeature


class FeatureSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str = Field(pattern=r"^[a-z][a-z0-9_]{1,59}$")
    name: str
    group: str
    unit: str
    credits_per_unit: int = Field(ge=0)
    is_active: bool = True


class TierFeatureSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    monthly_credits: int = Field(ge=0)
    enabled: bool = True
    limits: dict[str, int] = Field(default_factory=dict)


class TierSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    name: str
    monthly_price_cents: int = Field(ge=0)
    rollover: bool = False
    is_active: bool = True
    features: dict[str, TierFeatureSpec]


class CatalogFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int
    features: list[FeatureSpec]
    tiers: list[TierSpec]

    def check(self) -> None:
        keys = {f.key for f in self.features}
        for tier in self.tiers:
            unknown = set(tier.features) - keys
            if unknown:
                raise ValueError(f"tier {tier.key} names unknown features: {sorted(unknown)}")


def read_catalog(path: Path | None = None) -> CatalogFile:
    """Read and check a catalog file; the packaged one when ``path`` is None."""
    if path is None:
        raw = resources.files("visionscope.features.billing").joinpath("catalog.json").read_text()
    else:
        raw = path.read_text()
    catalog = CatalogFile.model_validate(json.loads(raw))
    catalog.check()
    return catalog


@dataclass(frozen=True, kw_only=True)
class LoadCatalog(Command[dict[str, int]]):
    """Bring the catalog tables in line with a catalog file (sent by the CLI and at start-up)."""

    catalog: dict[str, Any]


async def load_catalog(cmd: LoadCatalog, *, uow: UnitOfWork) -> dict[str, int]:
    catalog = CatalogFile.model_validate(cmd.catalog)
    catalog.check()
    session = uow.session
    changed = {"tiers": 0, "features": 0, "tier_features": 0}
    features: dict[str, FeatureDefinition] = {
        f.key: f for f in (await session.scalars(select(FeatureDefinition))).all()
    }
    for spec in catalog.features:
        row = features.get(spec.key)
        if row is None:
            row = FeatureDefinition(key=spec.key)
            session.add(row)
            features[spec.key] = row
        changed["features"] += _assign(row, spec.model_dump())
    tiers = {t.key: t for t in (await session.scalars(select(PricingTier))).all()}
    for tier_spec in catalog.tiers:
        tier = tiers.get(tier_spec.key)
        if tier is None:
            tier = PricingTier(key=tier_spec.key)
            session.add(tier)
            tiers[tier_spec.key] = tier
        changed["tiers"] += _assign(tier, tier_spec.model_dump(exclude={"features"}))
    await uow.flush()
    offered = {(tf.tier_id, tf.feature_id): tf for tf in (await session.scalars(select(TierFeature))).all()}
    for tier_spec in catalog.tiers:
        tier = tiers[tier_spec.key]
        wanted: set[tuple[Any, Any]] = set()
        for feature_key, tf_spec in tier_spec.features.items():
            pair = (tier.id, features[feature_key].id)
            wanted.add(pair)
            tf = offered.get(pair)
            if tf is None:
                tf = TierFeature(tier_id=tier.id, feature_id=features[feature_key].id)
                session.add(tf)
            changed["tier_features"] += _assign(tf, tf_spec.model_dump())
        for pair, tf in offered.items():
            if pair[0] == tier.id and pair not in wanted and tf.enabled:
                tf.enabled = False
                changed["tier_features"] += 1
    return changed


def _assign(row: Any, values: dict[str, Any]) -> int:
    """Set the fields that differ; returns 1 when anything changed."""
    differs = False
    for name, value in values.items():
        if getattr(row, name, None) != value:
            setattr(row, name, value)
            differs = True
    return int(differs)
