"""Pipeline behaviours, outermost first: logging and metrics, authorization, validation, transaction."""

from __future__ import annotations

import dataclasses
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from visionscope.building_blocks.errors import DomainError, Forbidden, InvalidInput, NotFound, Unauthenticated
from visionscope.building_blocks.mediator import CallNext, Context, Message
from visionscope.building_blocks.messages import Actor, ApiKeyActor, Command, Role, ScopeKind, acting_user
from visionscope.building_blocks.metrics import Metrics
from visionscope.building_blocks.uow import AfterCommit, UnitOfWork

log = logging.getLogger("visionscope.mediator")

ScopeResolver = Callable[[AsyncSession, uuid.UUID], Awaitable[uuid.UUID | None]]
RoleLookup = Callable[[AsyncSession, Actor, uuid.UUID], Awaitable[Role | None]]
AllowedHook = Callable[[uuid.UUID | None, Actor], Awaitable[None]]


class LoggingAndMetrics:
    """Times every message, logs its outcome (no personal data) and counts it."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    async def __call__(self, message: Message, call_next: CallNext, context: Context) -> Any:
        name = type(message).__name__
        started = time.perf_counter()
        outcome = "ok"
        try:
            return await call_next()
        except DomainError as err:
            outcome = type(err).__name__
            raise
        except Exception:
            outcome = "error"
            log.exception("handler failed", extra={"message_type": name, "request_id": context.request_id})
            raise
        finally:
            elapsed = time.perf_counter() - started
            self._metrics.handler_latency.labels(name, outcome).observe(elapsed)
            log.debug(
                "handled",
                extra={
                    "message_type": name,
                    "outcome": outcome,
                    "ms": round(elapsed * 1000, 2),
                    "request_id": context.request_id,
                },
            )


class Authorization:
    """Checks the ``access`` a message declares against the actor's role in the message's workspace.

    Another workspace's resource answers 404 (ids do not leak); a role too low answers 403.
    ``on_allowed`` hears of the workspace a message addresses (if any) and its actor once it is
    allowed (with a read replica: to read the primary if either changed in the background lately).
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        resolvers: Mapping[ScopeKind, ScopeResolver],
        role_of: RoleLookup,
        on_allowed: AllowedHook | None = None,
    ) -> None:
        self._sessions = sessions
        self._resolvers = dict(resolvers)
        self._role_of = role_of
        self._on_allowed = on_allowed

    async def __call__(self, message: Message, call_next: CallNext, context: Context) -> Any:
        access = type(message).access
        if context.system:
            return await call_next()
        if access.system_only:
            raise Forbidden("This action is performed by VisionScope itself.")
        if access.anonymous:
            return await call_next()
        actor = context.actor
        if actor is None:
            raise Unauthenticated("Sign in, or send an API key.")
        if access.users_only and isinstance(actor, ApiKeyActor):
            raise Forbidden("This action needs a signed-in user; API keys cannot perform it.")
        if access.scope is None:
            if self._on_allowed is not None:
                await self._on_allowed(None, actor)
            return await call_next()
        scope_id = getattr(message, access.field)
        async with self._sessions() as session:
            workspace_id = await self._resolvers[access.scope](session, scope_id)
            role = None if workspace_id is None else await self._role_of(session, actor, workspace_id)
        if workspace_id is None or role is None:
            raise NotFound(f"No {access.scope.value} with id {scope_id}.")
        if access.role is not None and role < access.role:
            raise Forbidden(
                f"This needs the {access.role.label} role; you are {role.label}.",
                required_role=access.role.label,
                role=role.label,
            )
        context.workspace_id = workspace_id
        context.role = role
        if self._on_allowed is not None:
            await self._on_allowed(workspace_id, actor)
        return await call_next()


_VALIDATORS: dict[type, TypeAdapter[Any]] = {}


def _validator(message_type: type) -> TypeAdapter[Any]:
    adapter = _VALIDATORS.get(message_type)
    if adapter is None:
        adapter = _VALIDATORS[message_type] = TypeAdapter(message_type)
    return adapter


class Validation:
    """Checks a message's fields against their declared types and constraints."""

    async def __call__(self, message: Message, call_next: CallNext, context: Context) -> Any:
        values = {f.name: getattr(message, f.name) for f in dataclasses.fields(message)}
        try:
            _validator(type(message)).validate_python(values, strict=False)
        except PydanticValidationError as err:
            errors = [
                {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in err.errors()
            ]
            raise InvalidInput("The request has invalid fields.", errors=errors) from None
        return await call_next()


class Transaction:
    """Commands run in one unit of work that commits once; queries get a read-only one."""

    def __init__(
        self,
        write_sessions: async_sessionmaker[AsyncSession],
        read_sessions: async_sessionmaker[AsyncSession],
        on_events_committed: Callable[[], None] | None = None,
        after_commit: AfterCommit | None = None,
    ) -> None:
        self._write = write_sessions
        self._read = read_sessions
        self._on_events_committed = on_events_committed
        self._after_commit = after_commit

    async def __call__(self, message: Message, call_next: CallNext, context: Context) -> Any:
        is_command = isinstance(message, Command)
        uow = UnitOfWork(
            self._write if is_command else self._read,
            actor_id=acting_user(context.actor),
            request_id=context.request_id,
            on_events_committed=self._on_events_committed,
            after_commit=self._after_commit,
        )
        async with uow:
            context.uow = uow
            try:
                result = await call_next()
                if is_command:
                    await uow.commit()
                return result
            finally:
                context.uow = None
