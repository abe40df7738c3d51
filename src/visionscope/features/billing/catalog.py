"""The pricing catalog: a versioned file of tiers and features, loaded into the catalog tables."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from visionscope.building_blocks.errors import InvalidInput
from visionscope.building_blocks.uow import UnitOfWork
from visionscope.features.billing import catalog_changes as changes
from visionscope.features.billing.events import CatalogEntryAdded, CatalogLoaded
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


async def apply_catalog(uow: UnitOfWork, data: dict[str, Any], now: datetime) -> dict[str, int]:
    """Apply a catalog file and every side effect of what changed; returns counts of what changed.

    Tiers and features missing from the file are deleted, unless something references them (409).
    """
    try:
        catalog = CatalogFile.model_validate(data)
        catalog.check()
    except ValueError as err:  # pydantic's ValidationError is a ValueError too
        raise InvalidInput(f"The catalog file is not valid: {err}") from None
    session = uow.session
    before = await changes.effective_offers(session)
    features = {f.key: f for f in (await session.scalars(select(FeatureDefinition))).all()}
    tiers = {t.key: t for t in (await session.scalars(select(PricingTier))).all()}
    gone_features = [f for key, f in features.items() if key not in {spec.key for spec in catalog.features}]
    gone_tiers = [t for key, t in tiers.items() if key not in {spec.key for spec in catalog.tiers}]
    await changes.refuse_deleting_referenced(session, gone_tiers, gone_features)
    changed = {"tiers": 0, "features": 0, "tier_features": 0, "deleted": 0}
    for spec in catalog.features:
        feature = features.get(spec.key)
        if feature is None:
            feature = features[spec.key] = FeatureDefinition(key=spec.key)
            session.add(feature)
            uow.record(CatalogEntryAdded(kind="feature", key=spec.key))
        diff = _assign(feature, spec.model_dump())
        changed["features"] += bool(diff)
        changes.record_feature_changes(uow, spec.key, diff)
    for tier_spec in catalog.tiers:
        tier = tiers.get(tier_spec.key)
        if tier is None:
            tier = tiers[tier_spec.key] = PricingTier(key=tier_spec.key)
            session.add(tier)
            uow.record(CatalogEntryAdded(kind="tier", key=tier_spec.key))
        diff = _assign(tier, tier_spec.model_dump(exclude={"features"}))
        changed["tiers"] += bool(diff)
        changes.record_tier_changes(uow, tier_spec.key, diff)
    await uow.flush()
    tier_keys = {t.id: key for key, t in tiers.items()}
    feature_keys = {f.id: key for key, f in features.items()}
    gone = {f.id for f in gone_features} | {t.id for t in gone_tiers}
    offered = {(tf.tier_id, tf.feature_id): tf for tf in (await session.scalars(select(TierFeature))).all()}
    for tier_spec in catalog.tiers:
        tier = tiers[tier_spec.key]
        wanted: set[tuple[uuid.UUID, uuid.UUID]] = set()
        for feature_key, tf_spec in tier_spec.features.items():
            pair = (tier.id, features[feature_key].id)
            wanted.add(pair)
            offer = offered.get(pair)
            if offer is None:
                offer = TierFeature(tier_id=tier.id, feature_id=features[feature_key].id)
                session.add(offer)
            diff = _assign(offer, tf_spec.model_dump())
            changed["tier_features"] += bool(diff)
            changes.record_offer_changes(uow, tier_spec.key, feature_key, diff)
        for pair, offer in offered.items():
            if pair[0] == tier.id and pair not in wanted and pair[1] not in gone and offer.enabled:
                offer.enabled = False
                changed["tier_features"] += 1
    changed["deleted"] = await changes.delete_entries(uow, offered, gone_tiers, gone_features)
    await uow.flush()
    after = await changes.effective_offers(session)
    effects = await changes.apply_offer_changes(uow, before, after, tier_keys, feature_keys, now)
    changed.update(effects)
    if any(changed.values()):
        uow.record(CatalogLoaded(version=catalog.version))
    return changed


def _assign(row: Any, values: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Set the fields that differ; returns each changed field with its old and new value."""
    diff: dict[str, tuple[Any, Any]] = {}
    for name, value in values.items():
        old = getattr(row, name, None)
        if old != value:
            setattr(row, name, value)
            diff[name] = (old, value)
    return diff
