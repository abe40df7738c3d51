"""Identity commands."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

from pydantic import StringConstraints

from visionscope.building_blocks.messages import ANONYMOUS, SIGNED_IN_USER, Command, Role, in_workspace
from visionscope.features.identity import validation
from visionscope.features.identity.schemas import ApiKeyWithSecret, TokenPair, UserRead

Email = Annotated[str, StringConstraints(min_length=3, max_length=320)]
Secret = Annotated[str, StringConstraints(min_length=1, max_length=256)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]


@dataclass(frozen=True, kw_only=True)
class RegisterUser(Command[UserRead]):
    """Checked the same whether it comes from the API or the web sign-up form."""

    access = ANONYMOUS
    email: validation.Email
    password: validation.NewPassword
    name: validation.PersonName


@dataclass(frozen=True, kw_only=True)
class SignIn(Command[TokenPair]):
    access = ANONYMOUS
    email: Email
    password: Secret


@dataclass(frozen=True, kw_only=True)
class RefreshSession(Command[TokenPair]):
    """Trade a refresh token for a new pair; the old token stops working."""

    access = ANONYMOUS
    refresh_token: Secret


@dataclass(frozen=True, kw_only=True)
class SignOut(Command[None]):
    access = ANONYMOUS
    refresh_token: Secret


@dataclass(frozen=True, kw_only=True)
class DeleteAccount(Command[None]):
    """Close the signed-in user's own account."""

    access = SIGNED_IN_USER
    user_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class CreateApiKey(Command[ApiKeyWithSecret]):
    access = in_workspace(Role.ADMIN, users_only=True)
    workspace_id: uuid.UUID
    name: validation.KeyName
    role: Role
    created_by: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class RevokeApiKey(Command[None]):
    access = in_workspace(Role.ADMIN)
    workspace_id: uuid.UUID
    key_id: uuid.UUID
