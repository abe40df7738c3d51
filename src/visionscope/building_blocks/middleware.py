"""ASGI middleware: request ids, HTTP metrics and a cap on request bodies."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from visionscope.building_blocks.errors import PROBLEM_MEDIA_TYPE, TooLarge
from visionscope.building_blocks.metrics import Metrics
from visionscope.building_blocks.tracing import request_scope

_REQUEST_ID = re.compile(rb"^[A-Za-z0-9._-]{1,64}$")
# The one route that streams a large body to disk (and caps it by the tier itself): a video upload.
_STREAMED_UPLOAD = re.compile(r"^/v1/projects/[^/]+/videos/?$")
log = logging.getLogger("visionscope.http")


class RequestMiddleware:
    """Gives each request an id (kept from ``X-Request-ID`` when sane), times it and counts it.

    Every body but a video upload's is refused past ``max_body`` bytes with 413: at once when its
    declared length is larger, otherwise as soon as that much has come (never read in full).
    """

    def __init__(self, app: ASGIApp, metrics: Metrics, max_body: int) -> None:
        self.app = app
        self.metrics = metrics
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        given = headers.get(b"x-request-id", b"")
        request_id = given.decode() if _REQUEST_ID.match(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        is_upload = scope.get("method") == "POST" and bool(_STREAMED_UPLOAD.match(scope.get("path", "")))
        declared = headers.get(b"content-length")
        if not is_upload and declared is not None and declared.isdigit() and int(declared) > self.max_body:
            await _too_large(send, request_id, self.max_body)
            return
        status = 500
        started = time.perf_counter()
        seen = 0
        overflowed = answered = False

        async def limited_receive() -> Message:
            nonlocal seen, overflowed
            message = await receive()
            if not is_upload and message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    overflowed = True
                    raise _BodyTooLarge
            return message

        async def send_with_id(message: Message) -> None:
            nonlocal status, answered
            if overflowed:  # a parser that caught the overflow answers something else: answer 413
                if not answered:
                    answered, status = True, 413
                    await _too_large(send, request_id, self.max_body)
                return
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = message.setdefault("headers", [])
                headers.append((b"x-request-id", request_id.encode()))
                protect(headers)
            await send(message)

        try:
            with request_scope(request_id):
                await self.app(scope, limited_receive, send_with_id)
        except _BodyTooLarge:
            status = 413
            if not answered:
                await _too_large(send, request_id, self.max_body)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            method = scope.get("method", "")
            elapsed = time.perf_counter() - started
            self.metrics.http_requests.labels(method, template, str(status)).inc()
            self.metrics.http_latency.labels(method, template).observe(elapsed)
            # The route template, never the raw path: ids and query strings stay out of the logs.
            log.info(
                "request",
                extra={
                    "method": method,
                    "route": template,
                    "status": status,
                    "ms": round(elapsed * 1000, 1),
                    "request_id": request_id,
                },
            )


# On every response (JSON, media, pictures, pages): no type sniffing, no framing, no referrer
# leaving the site. A response without its own Content-Security-Policy gets one that lets it do
# nothing (pages set theirs; an HTML page without one, like the API docs, may not be framed).
_ALWAYS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
)
_LOCKED_DOWN = b"default-src 'none'; frame-ancestors 'none'; sandbox"
_NO_FRAMING = b"frame-ancestors 'none'"


def protect(headers: list[tuple[bytes, bytes]]) -> None:
    present = {name.lower() for name, _ in headers}
    headers.extend(header for header in _ALWAYS if header[0] not in present)
    if b"content-security-policy" not in present:
        content_type = next((value for name, value in headers if name.lower() == b"content-type"), b"")
        headers.append(
            (
                b"content-security-policy",
                _NO_FRAMING if content_type.startswith(b"text/html") else _LOCKED_DOWN,
            )
        )


class _BodyTooLarge(Exception):
    pass


async def _too_large(send: Send, request_id: str, limit: int) -> None:
    refused = TooLarge(f"The request body is larger than {limit} bytes.", limit=limit)
    raw = json.dumps(refused.problem()).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                (b"content-length", str(len(raw)).encode()),
                (b"x-request-id", request_id.encode()),
                *_ALWAYS,
                (b"content-security-policy", _LOCKED_DOWN),
            ],
        }
    )
    await send({"type": "http.response.body", "body": raw})
