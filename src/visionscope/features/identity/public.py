"""What other features and the presentation layer may ask of identity."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from visionscope.building_blocks.messages import Actor, ApiKeyActor, Role, UserActor
from visionscope.building_blocks.uow import UnitOfWork
from visionscope.features.identity.events import ApiKeyRevoked
from visionscope.features.identity.models import ApiKey, User
from visionscope.features.identity.security import API_KEY_PREFIX, InvalidToken, digest
from visionscope.features.identity.security import (
    TokenIssuer as TokenIssuer,  # the composition root builds it
)

LAST_USED_RESOLUTION = timedelta(minutes=1)
MembershipCheck = Callable[[AsyncSession, uuid.UUID, uuid.UUID], Awaitable[Role | None]]


async def user_id_by_email(session: AsyncSession, email: str) -> uuid.UUID | None:
    found: uuid.UUID | None = await session.scalar(
        select(User.id).where(User.email == email.strip().lower(), User.is_active)
    )
    return found


async def revoke_keys(
    uow: UnitOfWork,
    *,
    workspace_id: uuid.UUID,
    now: datetime,
    created_by: uuid.UUID | None = None,
    reason: str,
) -> int:
    """Revoke a workspace's live API keys (only those one user created, when ``created_by`` is set)."""
    query = select(ApiKey).where(ApiKey.workspace_id == workspace_id, ApiKey.revoked_at.is_(None))
    if created_by is not None:
        query = query.where(ApiKey.created_by == created_by)
    keys = list((await uow.session.scalars(query)).all())
    for key in keys:
        key.revoked_at = now
        key.record(ApiKeyRevoked(workspace_id=workspace_id, key_id=key.id, reason=reason))
    return len(keys)


@dataclass
class Authenticator:
    """Turns credentials into an actor, or None. Used by the HTTP layer before the mediator."""

    sessions: async_sessionmaker[AsyncSession]
    read_sessions: async_sessionmaker[AsyncSession]
    issuer: TokenIssuer
    membership: MembershipCheck
    clock: Callable[[], datetime]

    async def bearer(self, token: str) -> Actor | None:
        try:
            user_id = self.issuer.user_of(token)
        except InvalidToken:
            return None
        async with self.read_sessions() as session:
            active = await session.scalar(select(User.is_active).where(User.id == user_id))
        return UserActor(user_id) if active else None

    def user_of_access_token(self, token: str) -> str | None:
        """The user id an access token names, when it is valid (signature and expiry only)."""
        try:
            return str(self.issuer.user_of(token))
        except InvalidToken:
            return None

    async def api_key(self, raw: str) -> Actor | None:
        if not raw.startswith(API_KEY_PREFIX) or len(raw) > 200:
            return None
        async with self.read_sessions() as session:
            key = await session.scalar(select(ApiKey).where(ApiKey.key_hash == digest(raw)))
            if key is None or key.revoked_at is not None:
                return None
            # A key acts for its creator: it stops working when they leave or the workspace goes,
            # and never does more than they may do now (a demoted creator demotes the key).
            creator_role = await self.membership(session, key.workspace_id, key.created_by)
            if creator_role is None:
                return None
        now = self.clock()
        if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
            async with self.sessions() as session:
                await session.execute(update(ApiKey).where(ApiKey.id == key.id).values(last_used_at=now))
                await session.commit()
        return ApiKeyActor(
            key_id=key.id,
            workspace_id=key.workspace_id,
            role=min(Role.parse(key.role), creator_role),
            created_by=key.created_by,
        )


async def user_profiles(session: AsyncSession, user_ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[str, str]]:
    """Name and email of each user, for read models of other features."""
    if not user_ids:
        return {}
    rows = await session.execute(select(User.id, User.name, User.email).where(User.id.in_(user_ids)))
    return {row.id: (row.name, row.email) for row in rows}
