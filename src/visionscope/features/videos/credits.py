"""What an analysis costs: reserve on acceptance, capture on success, release on failure or cancel.

Each analysis feature the tier offers (video_analysis, transcription, text_recognition) is
charged per started minute of video; a feature the tier lacks is skipped and marked so.
"""

from __future__ import annotations

import math
import uuid
from datetime import datetime

from visionscope.building_blocks.errors import Forbidden
from visionscope.building_blocks.uow import UnitOfWork
from visionscope.features.billing.public import (
    Metered,
    capture_credits,
    release_credits,
    require_feature,
    reserve_credits,
)
from visionscope.features.videos.models import Video

REQUIRED = "video_analysis"
OPTIONAL = ("transcription", "text_recognition")


async def analysis_features(uow: UnitOfWork, workspace_id: uuid.UUID) -> dict[str, str]:
    """Which analysis features run for this workspace: "on" or "skipped". 403 without video analysis."""
    await require_feature(uow.session, workspace_id, REQUIRED)
    features = {REQUIRED: "on"}
    for feature in OPTIONAL:
        try:
            await require_feature(uow.session, workspace_id, feature)
            features[feature] = "on"
        except Forbidden:
            features[feature] = "skipped"
    return features


def minutes(duration: float) -> int:
    return max(1, math.ceil(duration / 60.0))


def _key(video: Video, feature: str) -> str:
    return f"analysis:{video.id}:{video.attempt}:{feature}"


def _charged(video: Video) -> list[str]:
    return [f for f, state in (video.features or {}).items() if state == "on"]


async def reserve(uow: UnitOfWork, video: Video, *, now: datetime) -> None:
    """402 naming the feature, needed and available when a pool cannot cover the video."""
    for feature in _charged(video):
        await reserve_credits(
            uow,
            Metered(
                workspace_id=video.workspace_id,
                feature=feature,
                quantity=minutes(video.duration),
                idempotency_key=_key(video, feature),
                operation=f"analysis:{video.id}:{video.attempt}",
                user_id=video.uploaded_by,
                project_id=video.project_id,
            ),
            now=now,
        )


async def capture(uow: UnitOfWork, video: Video, *, now: datetime) -> None:
    for feature in _charged(video):
        await capture_credits(uow, video.workspace_id, _key(video, feature), minutes(video.duration), now=now)


async def release(uow: UnitOfWork, video: Video, *, now: datetime) -> None:
    for feature in _charged(video):
        await release_credits(uow, video.workspace_id, _key(video, feature), now=now)
