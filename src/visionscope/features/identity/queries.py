"""Identity queries."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from visionscope.building_blocks.errors import Unauthenticated
from visionscope.building_blocks.messages import SIGNED_IN_USER, Role, in_workspace
from visionscope.building_blocks.messages import Query as QueryBase
from visionscope.building_blocks.uow import UnitOfWork
from visionscope.features.identity.models import ApiKey, User
from visionscope.features.identity.schemas import ApiKeyRead, UserRead


@dataclass(frozen=True, kw_only=True)
class GetMe(QueryBase[UserRead]):
    access = SIGNED_IN_USER
    user_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class ListApiKeys(QueryBase[list[ApiKeyRead]]):
    access = in_workspace(Role.ADMIN)
    workspace_id: uuid.UUID


async def get_me(query: GetMe, *, uow: UnitOfWork) -> UserRead:
    user = await uow.session.get(User, query.user_id)
    if user is None or not user.is_active:
        raise Unauthenticated("This account no longer exists.")
    return UserRead(id=user.id, email=user.email, name=user.name, created_at=user.created_at)


async def list_api_keys(query: ListApiKeys, *, uow: UnitOfWork) -> list[ApiKeyRead]:
    keys = await uow.session.scalars(
        select(ApiKey).where(ApiKey.workspace_id == query.workspace_id).order_by(ApiKey.created_at)
    )
    return [
        ApiKeyRead(
            id=k.id,
            name=k.name,
            prefix=k.prefix,
            role=k.role,
            created_at=k.created_at,
            last_used_at=k.last_used_at,
            revoked_at=k.revoked_at,
        )
        for k in keys
    ]
