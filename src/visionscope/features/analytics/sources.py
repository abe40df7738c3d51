"""Where the figures come from outside the events: stage timings, the value of a credit."""

from __future__ import annotations

import json
from pathlib import Path

from visionscope.building_blocks.mediator import Context, Mediator
from visionscope.building_blocks.uow import UnitOfWork
from visionscope.features.billing.events import CreditsCaptured
from visionscope.features.billing.public import tier_key
from visionscope.features.billing.queries import GetTiers
from visionscope.features.workspaces.public import tier_of


def stage_seconds(work: Path) -> dict[str, float]:
    """Seconds each stage of an analysis took, from the ``<stage>.json`` file it wrote when done.

    Skipped stages and files that are missing (the video was deleted meanwhile) count nothing.
    """
    found: dict[str, float] = {}
    for path in sorted(work.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(data, dict) or data.get("stage") != path.stem or data.get("status") != "done":
            continue
        seconds = data.get("seconds")
        if isinstance(seconds, int | float):
            found[path.stem] = float(seconds)
    return found


class CreditValues:
    """What a credit is worth: the workspace's tier's monthly price over the credits it grants a month.

    The same rule as billing's business figures report; a free tier's credits are worth nothing.
    """

    def __init__(self, mediator: Mediator) -> None:
        self._mediator = mediator

    async def __call__(self, uow: UnitOfWork, event: CreditsCaptured) -> float:
        tier_id = await tier_of(uow.session, event.workspace_id)
        if tier_id is None:
            return 0.0
        key = await tier_key(uow.session, tier_id)
        for tier in await self._mediator.send(GetTiers(), Context(system=True)):
            if tier.key == key:
                credits = sum(f.monthly_credits for group in tier.groups for f in group.features)
                return tier.monthly_price_cents / credits if credits else 0.0
        return 0.0
