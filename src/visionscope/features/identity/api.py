"""Identity routes: registration, tokens, the current user, API keys."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.security import OAuth2PasswordRequestForm

from visionscope.building_blocks.errors import Forbidden
from visionscope.building_blocks.messages import Role, UserActor, acting_user
from visionscope.building_blocks.web import ContextDep, MediatorDep, client_address, get_sign_in_throttle
from visionscope.features.identity.commands import (
    CreateApiKey,
    DeleteAccount,
    RefreshSession,
    RegisterUser,
    RevokeApiKey,
    SignOut,
)
from visionscope.features.identity.queries import GetMe, ListApiKeys
from visionscope.features.identity.schemas import (
    ApiKeyCreate,
    ApiKeyRead,
    ApiKeyWithSecret,
    RefreshRequest,
    TokenPair,
    UserCreate,
    UserRead,
)
from visionscope.features.identity.throttling import SignInThrottle

router = APIRouter(prefix="/v1", tags=["identity"])


ThrottleDep = Annotated[SignInThrottle, Depends(get_sign_in_throttle)]
THROTTLED: dict[int | str, dict[str, Any]] = {
    429: {"description": "Too many attempts from this account or address; see Retry-After."}
}


@router.post("/auth/register", status_code=status.HTTP_201_CREATED, responses=THROTTLED)
async def register(
    request: Request, body: UserCreate, mediator: MediatorDep, ctx: ContextDep, throttle: ThrottleDep
) -> UserRead:
    command = RegisterUser(email=body.email, password=body.password, name=body.name)
    return await throttle.register(mediator, ctx, command, address=client_address(request))


@router.post("/auth/token", responses=THROTTLED)
async def token(
    request: Request,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    mediator: MediatorDep,
    ctx: ContextDep,
    throttle: ThrottleDep,
) -> TokenPair:
    return await throttle.sign_in(
        mediator, ctx, email=form.username, password=form.password, address=client_address(request)
    )


@router.post("/auth/refresh")
async def refresh(body: RefreshRequest, mediator: MediatorDep, ctx: ContextDep) -> TokenPair:
    return await mediator.send(RefreshSession(refresh_token=body.refresh_token), ctx)


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(body: RefreshRequest, mediator: MediatorDep, ctx: ContextDep) -> Response:
    await mediator.send(SignOut(refresh_token=body.refresh_token), ctx)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me")
async def me(mediator: MediatorDep, ctx: ContextDep) -> UserRead:
    user_id = acting_user(ctx.actor) if isinstance(ctx.actor, UserActor) else None
    if ctx.actor is not None and user_id is None:
        raise Forbidden("/v1/me describes a signed-in user; an API key has no user profile.")
    return await mediator.send(GetMe(user_id=user_id or uuid.UUID(int=0)), ctx)


@router.delete("/me", status_code=status.HTTP_204_NO_CONTENT)
async def delete_me(mediator: MediatorDep, ctx: ContextDep) -> Response:
    """Close your account. Refused (409, naming them) while you own workspaces."""
    user_id = acting_user(ctx.actor) if isinstance(ctx.actor, UserActor) else None
    if ctx.actor is not None and user_id is None:
        raise Forbidden("An API key cannot close an account.")
    await mediator.send(DeleteAccount(user_id=user_id or uuid.UUID(int=0)), ctx)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/workspaces/{workspace_id}/api-keys", status_code=status.HTTP_201_CREATED)
async def create_api_key(
    workspace_id: uuid.UUID, body: ApiKeyCreate, mediator: MediatorDep, ctx: ContextDep
) -> ApiKeyWithSecret:
    creator = acting_user(ctx.actor) or uuid.UUID(int=0)
    return await mediator.send(
        CreateApiKey(
            workspace_id=workspace_id, name=body.name, role=Role.parse(body.role), created_by=creator
        ),
        ctx,
    )


@router.get("/workspaces/{workspace_id}/api-keys")
async def list_api_keys(
    workspace_id: uuid.UUID, mediator: MediatorDep, ctx: ContextDep
) -> dict[str, list[ApiKeyRead]]:
    return {"items": await mediator.send(ListApiKeys(workspace_id=workspace_id), ctx)}


@router.delete("/workspaces/{workspace_id}/api-keys/{key_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_api_key(
    workspace_id: uuid.UUID, key_id: uuid.UUID, mediator: MediatorDep, ctx: ContextDep
) -> Response:
    await mediator.send(RevokeApiKey(workspace_id=workspace_id, key_id=key_id), ctx)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
