"""Binding handlers to their collaborators."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from visionscope.building_blocks.mediator import Context, Handler


def bind(handler: Callable[..., Awaitable[Any]], **collaborators: Any) -> Handler:
    """A mediator handler that calls ``handler(message, uow=..., **collaborators)``."""

    async def run(message: Any, context: Context) -> Any:
        return await handler(message, uow=context.unit_of_work, **collaborators)

    run.__name__ = getattr(handler, "__name__", "handler")
    return run
