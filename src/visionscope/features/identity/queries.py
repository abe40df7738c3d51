"""Identity queries."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from visionscope.building_blocks.messages import SIGNED_IN_USER, Role, in_workspace
from visionscope.building_blocks.messages import Query as QueryBase
from visionscope.features.identity.schemas import ApiKeyRead, UserRead


@dataclass(frozen=True, kw_only=True)
class GetMe(QueryBase[UserRead]):
    access = SIGNED_IN_USER
    user_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class ListApiKeys(QueryBase[list[ApiKeyRead]]):
    access = in_workspace(Role.ADMIN)
    workspace_id: uuid.UUID
