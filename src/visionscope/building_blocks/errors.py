"""Domain errors, and the RFC 9457 problem body every error of the API answers with. Each domain
error carries its HTTP status; problems.py renders them, and every other error, as problem+json."""

from __future__ import annotations

from typing import Any, ClassVar

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://visionscope.dev/problems/"


def problem_body(status: int, title: str, detail: str, slug: str, **extra: Any) -> dict[str, Any]:
    """The body of an error response: its type (a URL ending in ``slug``), title, status and detail,
    and what else the client needs to act on it (``retry_after``, the fields in error...)."""
    return {"type": PROBLEM_TYPE_BASE + slug, "title": title, "status": status, "detail": detail, **extra}


class DomainError(Exception):
    """A rule of the domain refused the request. Subclasses fix status and title."""

    status: ClassVar[int] = 400
    title: ClassVar[str] = "Bad request"
    slug: ClassVar[str] = "bad-request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra

    def problem(self) -> dict[str, Any]:
        """The RFC 9457 body of this error."""
        return problem_body(self.status, self.title, self.detail, self.slug, **self.extra)


class InvalidInput(DomainError):
    status = 422
    title = "Invalid input"
    slug = "invalid-input"


class Unauthenticated(DomainError):
    status = 401
    title = "Not authenticated"
    slug = "unauthenticated"


class PaymentRequired(DomainError):
    status = 402
    title = "Not enough credits"
    slug = "insufficient-credits"


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"
    slug = "forbidden"


class NotFound(DomainError):
    status = 404
    title = "Not found"
    slug = "not-found"


class Conflict(DomainError):
    status = 409
    title = "Conflict"
    slug = "conflict"


class TooLarge(DomainError):
    status = 413
    title = "Too large"
    slug = "too-large"


class UnsupportedMedia(DomainError):
    status = 415
    title = "Unsupported media"
    slug = "unsupported-media"


class RateLimited(DomainError):
    status = 429
    title = "Too many requests"
    slug = "rate-limited"
