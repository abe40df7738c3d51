"""Domain errors. Each carries its HTTP status; one handler renders them as problem+json."""

from __future__ import annotations

from typing import Any, ClassVar


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
        return {
            "type": f"https://visionscope.dev/problems/{self.slug}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            **self.extra,
        }


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
