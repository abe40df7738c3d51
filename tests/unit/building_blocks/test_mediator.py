"""The mediator and its behaviours, with fakes for the database-facing parts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

import pytest
from pydantic import StringConstraints

from visionscope.building_blocks.behaviors import Authorization, LoggingAndMetrics, Validation
from visionscope.building_blocks.errors import Forbidden, InvalidInput, NotFound, Unauthenticated
from visionscope.building_blocks.mediator import CallNext, Context, Mediator, Message, NoHandler
from visionscope.building_blocks.messages import (
    ANONYMOUS,
    Actor,
    ApiKeyActor,
    Command,
    Query,
    Role,
    ScopeKind,
    UserActor,
    in_workspace,
)
from visionscope.building_blocks.metrics import Metrics

WS = uuid.uuid4()


@dataclass(frozen=True, kw_only=True)
class Shout(Command[str]):
    access = ANONYMOUS
    text: Annotated[str, StringConstraints(min_length=1, max_length=5)]


@dataclass(frozen=True, kw_only=True)
class Edit(Command[str]):
    access = in_workspace(Role.EDITOR)
    workspace_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class Peek(Query[str]):
    access = in_workspace(Role.VIEWER, users_only=True)
    workspace_id: uuid.UUID


async def shout(message: Any, context: Context) -> str:
    return str(message.text).upper()


async def edited(message: Any, context: Context) -> str:
    return f"edited by {context.role.label if context.role else '?'}"


class FakeSessions:
    """Stands in for a session factory: the authorization behaviour only opens and closes it."""

    def __call__(self) -> FakeSessions:
        return self

    async def __aenter__(self) -> FakeSessions:
        return self

    async def __aexit__(self, *args: object) -> None:
        return None


def authorization(roles: dict[uuid.UUID, Role]) -> Authorization:
    async def live(session: Any, workspace_id: uuid.UUID) -> uuid.UUID | None:
        return workspace_id if workspace_id == WS else None

    async def role_of(session: Any, actor: Actor, workspace_id: uuid.UUID) -> Role | None:
        if isinstance(actor, ApiKeyActor):
            return actor.role if actor.workspace_id == workspace_id else None
        return roles.get(actor.user_id) if isinstance(actor, UserActor) else None

    return Authorization(FakeSessions(), {ScopeKind.WORKSPACE: live}, role_of)  # type: ignore[arg-type]


async def test_behaviours_wrap_the_handler_outermost_first() -> None:
    calls: list[str] = []

    def tracing(name: str) -> Any:
        async def behaviour(message: Message, call_next: CallNext, context: Context) -> Any:
            calls.append(f"{name} before")
            result = await call_next()
            calls.append(f"{name} after")
            return result

        return behaviour

    mediator = Mediator({Shout: shout}, [tracing("outer"), tracing("inner")])
    assert await mediator.send(Shout(text="hi")) == "HI"
    assert calls == ["outer before", "inner before", "inner after", "outer after"]


async def test_a_message_without_a_handler_is_an_error() -> None:
    with pytest.raises(NoHandler):
        await Mediator({}, []).send(Shout(text="hi"))


async def test_validation_names_the_field_that_breaks_its_constraint() -> None:
    mediator = Mediator({Shout: shout}, [Validation()])
    with pytest.raises(InvalidInput) as caught:
        await mediator.send(Shout(text="far too long"))
    assert caught.value.extra["errors"][0]["field"] == "text"


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.VIEWER, False),
        (Role.EDITOR, True),
        (Role.ADMIN, True),
        (Role.OWNER, True),
    ],
)
async def test_role_matrix_for_an_editor_command(role: Role, allowed: bool) -> None:
    user = uuid.uuid4()
    mediator = Mediator({Edit: edited}, [authorization({user: role})])
    ctx = Context(actor=UserActor(user))
    if allowed:
        assert await mediator.send(Edit(workspace_id=WS), ctx) == f"edited by {role.label}"
    else:
        with pytest.raises(Forbidden):
            await mediator.send(Edit(workspace_id=WS), ctx)


async def test_no_actor_is_401_and_a_stranger_or_unknown_workspace_is_404() -> None:
    mediator = Mediator({Edit: edited}, [authorization({})])
    with pytest.raises(Unauthenticated):
        await mediator.send(Edit(workspace_id=WS), Context())
    with pytest.raises(NotFound):
        await mediator.send(Edit(workspace_id=WS), Context(actor=UserActor(uuid.uuid4())))
    with pytest.raises(NotFound):
        await mediator.send(Edit(workspace_id=uuid.uuid4()), Context(actor=UserActor(uuid.uuid4())))


async def test_api_keys_act_with_their_role_only_in_their_workspace_and_not_on_user_only_messages() -> None:
    mediator = Mediator({Edit: edited, Peek: edited}, [authorization({})])
    key = ApiKeyActor(key_id=uuid.uuid4(), workspace_id=WS, role=Role.EDITOR, created_by=uuid.uuid4())
    assert await mediator.send(Edit(workspace_id=WS), Context(actor=key)) == "edited by editor"
    with pytest.raises(Forbidden):
        await mediator.send(Peek(workspace_id=WS), Context(actor=key))
    other = ApiKeyActor(
        key_id=uuid.uuid4(), workspace_id=uuid.uuid4(), role=Role.ADMIN, created_by=uuid.uuid4()
    )
    with pytest.raises(NotFound):
        await mediator.send(Edit(workspace_id=WS), Context(actor=other))


async def test_system_context_skips_actor_checks() -> None:
    mediator = Mediator({Edit: edited}, [authorization({})])
    assert await mediator.send(Edit(workspace_id=WS), Context(system=True)) == "edited by ?"


async def test_logging_behaviour_times_messages_by_outcome() -> None:
    metrics = Metrics()

    async def refuse(message: Any, context: Context) -> str:
        raise Forbidden("no")

    mediator = Mediator({Shout: shout, Edit: refuse}, [LoggingAndMetrics(metrics)])
    await mediator.send(Shout(text="a"))
    with pytest.raises(Forbidden):
        await mediator.send(Edit(workspace_id=WS))
    text = metrics.render().decode()
    assert 'visionscope_handler_seconds_count{message="Shout",outcome="ok"} 1.0' in text
    assert 'visionscope_handler_seconds_count{message="Edit",outcome="Forbidden"} 1.0' in text
