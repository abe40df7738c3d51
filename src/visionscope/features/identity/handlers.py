"""Identity command handlers."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import func, select, update

from visionscope.building_blocks.errors import Conflict, Forbidden, NotFound, Unauthenticated
from visionscope.building_blocks.messages import Role
from visionscope.building_blocks.uow import UnitOfWork
from visionscope.clock import Clock
from visionscope.features.identity.commands import (
    CreateApiKey,
    DeleteAccount,
    RefreshSession,
    RegisterUser,
    RevokeApiKey,
    SignIn,
    SignOut,
)
from visionscope.features.identity.events import (
    ApiKeyCreated,
    ApiKeyRevoked,
    UserDeleted,
    UserRegistered,
    UserSignedIn,
)
from visionscope.features.identity.models import ApiKey, RefreshToken, User
from visionscope.features.identity.queries import GetMe, ListApiKeys
from visionscope.features.identity.schemas import ApiKeyRead, ApiKeyWithSecret, TokenPair, UserRead
from visionscope.features.identity.security import (
    API_KEY_PREFIX,
    TokenIssuer,
    digest,
    hash_password,
    new_secret,
    verify_password,
)
from visionscope.features.workspaces.public import end_memberships, owned_workspaces, workspace_names

MAX_API_KEYS = 20  # live keys per workspace


def normalise_email(email: str) -> str:
    return email.strip().lower()


async def register_user(cmd: RegisterUser, *, uow: UnitOfWork, clock: Clock) -> UserRead:
    email = normalise_email(cmd.email)
    # Hashed before the transaction begins: no write lock is held while argon2 works.
    password_hash = await hash_password(cmd.password)
    if await uow.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict("An account with this email already exists.", field="email")
    now = clock()
    user = User(
        id=uuid.uuid4(),
        email=email,
        name=cmd.name.strip(),
        password_hash=password_hash,
        created_at=now,
        updated_at=now,
    )
    uow.session.add(user)
    user.record(UserRegistered(user_id=user.id))
    return UserRead(id=user.id, email=user.email, name=user.name, created_at=now)


async def _issue(
    uow: UnitOfWork,
    user_id: uuid.UUID,
    family: uuid.UUID,
    *,
    clock: Clock,
    issuer: TokenIssuer,
    refresh_ttl: timedelta,
) -> TokenPair:
    now = clock()
    refresh = new_secret()
    uow.session.add(
        RefreshToken(
            user_id=user_id,
            family_id=family,
            token_hash=digest(refresh),
            created_at=now,
            expires_at=now + refresh_ttl,
        )
    )
    return TokenPair(
        access_token=issuer.access_token(user_id, now),
        refresh_token=refresh,
        expires_in=int(issuer.access_ttl.total_seconds()),
    )


async def sign_in(
    cmd: SignIn, *, uow: UnitOfWork, clock: Clock, issuer: TokenIssuer, refresh_ttl: timedelta
) -> TokenPair:
    found = (
        await uow.session.execute(
            select(User.id, User.password_hash).where(
                User.email == normalise_email(cmd.email), User.is_active
            )
        )
    ).first()
    # The transaction that read the hash ends before argon2 checks it, so that no write lock (SQLite)
    # is held meanwhile; the one that records the sign-in begins after.
    await uow.session.rollback()
    if not await verify_password(found.password_hash if found else None, cmd.password) or found is None:
        raise Unauthenticated("Wrong email or password.")
    user = await uow.session.get(User, found.id)
    if user is None or not user.is_active:
        raise Unauthenticated("Wrong email or password.")
    user.record(UserSignedIn(user_id=user.id, method="password"))
    return await _issue(uow, user.id, uuid.uuid4(), clock=clock, issuer=issuer, refresh_ttl=refresh_ttl)


async def refresh_session(
    cmd: RefreshSession, *, uow: UnitOfWork, clock: Clock, issuer: TokenIssuer, refresh_ttl: timedelta
) -> TokenPair:
    now = clock()
    token = await uow.session.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == digest(cmd.refresh_token)).with_for_update()
    )
    if token is None or token.revoked_at is not None or token.expires_at <= now:
        raise Unauthenticated("This refresh token is not valid; sign in again.")
    if token.used_at is not None:
        # A used token presented again means it leaked: end the whole sign-in.
        await uow.session.execute(
            update(RefreshToken).where(RefreshToken.family_id == token.family_id).values(revoked_at=now)
        )
        await uow.commit()  # the refusal itself must last: commit the revocation, then refuse
        raise Unauthenticated("This refresh token was already used; sign in again.")
    claimed = await uow.session.execute(
        update(RefreshToken)
        .where(RefreshToken.id == token.id, RefreshToken.used_at.is_(None))
        .values(used_at=now)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        raise Unauthenticated("This refresh token was already used; sign in again.")
    user = await uow.session.get(User, token.user_id)
    if user is None or not user.is_active:
        raise Unauthenticated("This account no longer exists.")
    user.record(UserSignedIn(user_id=user.id, method="refresh"))
    return await _issue(uow, user.id, token.family_id, clock=clock, issuer=issuer, refresh_ttl=refresh_ttl)


async def sign_out(cmd: SignOut, *, uow: UnitOfWork, clock: Clock) -> None:
    token = await uow.session.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == digest(cmd.refresh_token))
    )
    if token is not None:
        await uow.session.execute(
            update(RefreshToken)
            .where(RefreshToken.family_id == token.family_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=clock())
        )


async def create_api_key(cmd: CreateApiKey, *, uow: UnitOfWork, clock: Clock) -> ApiKeyWithSecret:
    if cmd.role >= Role.OWNER:
        raise Forbidden("An API key can have the admin role at most.")
    live = await uow.session.scalar(
        select(func.count())
        .select_from(ApiKey)
        .where(ApiKey.workspace_id == cmd.workspace_id, ApiKey.revoked_at.is_(None))
    )
    if (live or 0) >= MAX_API_KEYS:
        raise Conflict(
            f"A workspace has at most {MAX_API_KEYS} API keys; revoke one before creating another.",
            limit=MAX_API_KEYS,
        )
    now = clock()
    secret = new_secret(API_KEY_PREFIX)
    key = ApiKey(
        id=uuid.uuid4(),
        workspace_id=cmd.workspace_id,
        name=cmd.name.strip(),
        prefix=secret[:12],
        key_hash=digest(secret),
        role=cmd.role.label,
        created_by=cmd.created_by,
        created_at=now,
    )
    uow.session.add(key)
    key.record(
        ApiKeyCreated(workspace_id=cmd.workspace_id, key_id=key.id, role=key.role, created_by=cmd.created_by)
    )
    return ApiKeyWithSecret(
        id=key.id,
        name=key.name,
        prefix=key.prefix,
        role=key.role,
        created_at=now,
        last_used_at=None,
        revoked_at=None,
        key=secret,
    )


async def revoke_api_key(cmd: RevokeApiKey, *, uow: UnitOfWork, clock: Clock) -> None:
    key = await uow.session.get(ApiKey, cmd.key_id)
    if key is None or key.workspace_id != cmd.workspace_id:
        raise NotFound(f"No API key with id {cmd.key_id}.")
    if key.revoked_at is None:
        key.revoked_at = clock()
        key.record(ApiKeyRevoked(workspace_id=key.workspace_id, key_id=key.id, reason="revoked"))


async def delete_account(cmd: DeleteAccount, *, uow: UnitOfWork, clock: Clock) -> None:
    """Refused while the user owns a workspace; otherwise memberships, keys and sessions end.

    The row stays, emptied of personal data, because usage logs and the audit trail keep its id.
    """
    owned = await owned_workspaces(uow.session, cmd.user_id)
    if owned:
        names = await workspace_names(uow.session, owned)
        raise Conflict(
            "You own " + ", ".join(names) + ": transfer ownership or delete it before closing your account.",
            workspaces=[str(w) for w in owned],
        )
    user = await uow.session.get(User, cmd.user_id, with_for_update=True)
    if user is None or not user.is_active:
        raise Unauthenticated("This account no longer exists.")
    now = clock()
    await end_memberships(uow.session, user.id, now)
    keys = list(
        await uow.session.scalars(
            select(ApiKey).where(ApiKey.created_by == user.id, ApiKey.revoked_at.is_(None))
        )
    )
    for key in keys:
        key.revoked_at = now
        key.record(ApiKeyRevoked(workspace_id=key.workspace_id, key_id=key.id, reason="account closed"))
    await uow.session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user.id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    user.is_active = False
    user.email = f"deleted-{user.id.hex}@deleted.invalid"
    user.name = "Deleted user"
    user.password_hash = "!"  # noqa: S105 - not a hash: matches no password
    user.record(UserDeleted(user_id=user.id))


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
