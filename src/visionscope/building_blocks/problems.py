"""One place that turns every error into an RFC 9457 problem+json response."""

from __future__ import annotations

import logging
from typing import Any

import asyncpg.exceptions as asyncpg_exc  # type: ignore[import-untyped]
import redis.exceptions as redis_exc
import sqlalchemy.exc as sqlalchemy_exc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from visionscope.building_blocks.errors import PROBLEM_MEDIA_TYPE, DomainError, problem_body

log = logging.getLogger("visionscope.errors")


UNAVAILABLE_RETRY_AFTER = 5
_UNAVAILABLE = (
    redis_exc.ConnectionError,
    redis_exc.TimeoutError,
    sqlalchemy_exc.OperationalError,
    sqlalchemy_exc.InterfaceError,
    sqlalchemy_exc.DisconnectionError,
    sqlalchemy_exc.TimeoutError,  # no pooled connection came free in time
    asyncpg_exc.PostgresConnectionError,
    asyncpg_exc.InterfaceError,
    asyncpg_exc.OperatorInterventionError,  # the server is shutting down or restarting
    ConnectionError,
    TimeoutError,
)


def service_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) says the database or Redis cannot be reached, not a bug:
    refused or dropped connections, a server starting up or shutting down, a pool exhausted."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, _UNAVAILABLE):
            return True
        if isinstance(current, sqlalchemy_exc.DBAPIError) and current.connection_invalidated:
            return True
        current = current.__cause__ or current.__context__
    return False


def problem_response(status: int, title: str, detail: str, slug: str, **extra: Any) -> JSONResponse:
    body = problem_body(status, title, detail, slug, **extra)
    headers = {"Retry-After": str(extra["retry_after"])} if "retry_after" in extra else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _location(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "form")]
    return ".".join(parts) or str(loc[0] if loc else "")


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        return problem_response(exc.status, exc.title, exc.detail, exc.slug, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return problem_response(
                400, "Malformed JSON", "The request body is not valid JSON.", "malformed-json"
            )
        details = [
            {"field": _location(e.get("loc", ())), "message": e.get("msg", ""), "type": e.get("type", "")}
            for e in errors
        ]
        return problem_response(
            422, "Invalid input", "The request has invalid fields.", "invalid-input", errors=details
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        titles = {404: "Not found", 405: "Method not allowed", 413: "Too large", 401: "Not authenticated"}
        title = titles.get(exc.status_code, "Error")
        slug = title.lower().replace(" ", "-")
        response = problem_response(exc.status_code, title, str(exc.detail), slug)
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        if service_unavailable(exc):
            log.warning("service unavailable", extra={"path": request.url.path, "error": type(exc).__name__})
            return problem_response(
                503,
                "Service unavailable",
                "A service this request needs (the database or Redis) cannot be reached right now; "
                "nothing was changed. Try again shortly.",
                "service-unavailable",
                retry_after=UNAVAILABLE_RETRY_AFTER,
            )
        log.exception("unexpected error", extra={"path": request.url.path})
        return problem_response(
            500, "Internal error", "Something went wrong on our side; it has been logged.", "internal-error"
        )
