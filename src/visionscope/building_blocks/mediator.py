"""The mediator: sends each message to its one handler through a chain of behaviours."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar, cast

from visionscope.building_blocks.messages import Actor, Command, Query, Role
from visionscope.building_blocks.uow import UnitOfWork

R = TypeVar("R")
Message = Command[Any] | Query[Any]


@dataclass
class Context:
    """What travels with one message: who sends it, the request and what the behaviours learned."""

    actor: Actor | None = None
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    idempotency_key: str | None = None
    workspace_id: uuid.UUID | None = None
    role: Role | None = None
    uow: UnitOfWork | None = None
    system: bool = False  # sent by the product itself (a job, an event handler, the CLI): no actor checks

    @property
    def unit_of_work(self) -> UnitOfWork:
        if self.uow is None:
            raise RuntimeError("no unit of work: the transaction behaviour did not run")
        return self.uow


class Handler(Protocol):
    """A handler bound to its collaborators: it takes the message and the context."""

    def __call__(self, message: Any, context: Context, /) -> Awaitable[Any]: ...


CallNext = Callable[[], Awaitable[Any]]


class Behaviour(Protocol):
    def __call__(self, message: Message, call_next: CallNext, context: Context, /) -> Awaitable[Any]: ...


class NoHandler(LookupError):
    pass


class Mediator:
    def __init__(self, handlers: Mapping[type, Handler], behaviours: Sequence[Behaviour]) -> None:
        self._handlers = dict(handlers)
        self._behaviours = list(behaviours)

    def handles(self, message_type: type) -> bool:
        return message_type in self._handlers

    async def send(self, message: Command[R] | Query[R], context: Context | None = None) -> R:
        """Run the behaviours outermost first, then the handler; return what the handler returns."""
        ctx = context or Context()
        try:
            handler = self._handlers[type(message)]
        except KeyError:
            raise NoHandler(f"no handler for {type(message).__name__}") from None

        async def run(index: int) -> Any:
            if index == len(self._behaviours):
                return await handler(message, ctx)
            return await self._behaviours[index](message, lambda: run(index + 1), ctx)

        return cast(R, await run(0))
