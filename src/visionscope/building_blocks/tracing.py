"""The request id of the work in hand, carried in a context variable into every log line.

The HTTP middleware sets it for a request; a consumer sets it from the event it handles (the
outbox row keeps the id of the request that caused the event), so one upload can be followed
from its request through the events and tasks it starts.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from contextvars import ContextVar

current_request_id: ContextVar[str | None] = ContextVar("visionscope_request_id", default=None)


@contextlib.contextmanager
def request_scope(request_id: str | None) -> Iterator[None]:
    token = current_request_id.set(request_id)
    try:
        yield
    finally:
        current_request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to records that do not carry one already."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = current_request_id.get()
        return True
