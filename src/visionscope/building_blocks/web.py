"""Presentation plumbing shared by routers: the mediator, the actor and the message context."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Header, Query, Request
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer

from visionscope.building_blocks.errors import Forbidden, Unauthenticated
from visionscope.building_blocks.mediator import Context, Mediator
from visionscope.building_blocks.messages import Actor, acting_user

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/v1/auth/token", auto_error=False)
api_key_scheme = APIKeyHeader(name="X-API-Key", auto_error=False)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# The web pages' session: an HttpOnly cookie holding the same access token as a bearer header,
# and a CSRF token (readable cookie, echoed in a header) for unsafe methods. The token is signed
# for the session's user ("<nonce>.<HMAC of user and nonce>"), so a token planted in a browser by
# someone else (their own, or made up) does not pass. Over HTTPS the cookies carry the __Host-
# prefix (Secure, path /, no Domain: a sibling site cannot set them); the refresh cookie, scoped
# to /session, __Secure-.
SESSION_COOKIE = "vs_access"
CSRF_COOKIE = "vs_csrf"
REFRESH_COOKIE = "vs_refresh"
ANONYMOUS_SUBJECT = "anonymous"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_mediator(request: Request) -> Mediator:
    mediator: Mediator = request.app.state.mediator
    return mediator


async def get_actor(
    request: Request,
    bearer: Annotated[str | None, Depends(oauth2_scheme)],
    api_key: Annotated[str | None, Depends(api_key_scheme)],
) -> Actor | None:
    """The caller, from a bearer token, an API key or the web session cookie.

    Credentials that do not check out answer 401; a cookie-authenticated unsafe request without
    the matching CSRF token answers 403.
    """
    authenticator = request.app.state.authenticator
    if bearer:
        actor: Actor | None = await authenticator.bearer(bearer)
        if actor is None:
            raise Unauthenticated("The access token is invalid or expired.")
        return actor
    if api_key:
        actor = await authenticator.api_key(api_key)
        if actor is None:
            raise Unauthenticated("The API key is invalid or revoked.")
        return actor
    return await _cookie_actor(request)


async def _cookie_actor(request: Request) -> Actor | None:
    """The web pages' session cookie, used only when no Authorization or X-API-Key header came."""
    session = read_cookie(request, SESSION_COOKIE)
    if not session or "authorization" in request.headers or "x-api-key" in request.headers:
        return None
    unsafe = request.method not in SAFE_METHODS
    if unsafe and not read_cookie(request, CSRF_COOKIE):
        raise Forbidden("The CSRF token is missing or wrong; reload the page and try again.")
    actor: Actor | None = await request.app.state.authenticator.bearer(session)
    if actor is None:
        raise Unauthenticated("The session has expired; sign in again.")
    subject = str(acting_user(actor))
    if unsafe and not csrf_token_matches(request, request.headers.get(CSRF_HEADER), subject):
        raise Forbidden("The CSRF token is missing or wrong; reload the page and try again.")
    return actor


def cookie_name(request: Request, base: str) -> str:
    if request.url.scheme != "https":
        return base
    return ("__Secure-" if base == REFRESH_COOKIE else "__Host-") + base


def read_cookie(request: Request, base: str) -> str | None:
    return request.cookies.get(cookie_name(request, base)) or None


def _csrf_mac(request: Request, subject: str, nonce: str) -> str:
    key: bytes = request.app.state.csrf_key
    return hmac.new(key, f"csrf|{subject}|{nonce}".encode(), hashlib.sha256).hexdigest()[:32]


def new_csrf_token(request: Request, subject: str) -> str:
    """A CSRF token signed for ``subject``: the session's user id, or ANONYMOUS_SUBJECT."""
    nonce = secrets.token_urlsafe(16)
    return f"{nonce}.{_csrf_mac(request, subject, nonce)}"


def csrf_token_signed_for(request: Request, token: str, subject: str) -> bool:
    nonce, _, mac = token.partition(".")
    return bool(nonce and mac) and hmac.compare_digest(mac, _csrf_mac(request, subject, nonce))


def csrf_token_matches(request: Request, given: str | None, subject: str | None) -> bool:
    """The token sent with a state-changing request equals the CSRF cookie and is signed for
    ``subject`` (None: for whoever, where a forged request could do no harm)."""
    expected = read_cookie(request, CSRF_COOKIE) or ""
    if not (expected and given and secrets.compare_digest(expected.encode(), given.encode())):
        return False
    return subject is None or csrf_token_signed_for(request, expected, subject)


def session_user(request: Request) -> str | None:
    """The user id of the session cookie's access token, when it is valid (no database read)."""
    token = read_cookie(request, SESSION_COOKIE)
    user_of: Callable[[str], str | None] = request.app.state.session_user
    return user_of(token) if token else None


def client_address(request: Request) -> str:
    """The client's address (behind a proxy: as the proxy reports it, with --proxy-headers)."""
    return request.client.host if request.client else "unknown"


def get_sign_in_throttle(request: Request) -> Any:
    return request.app.state.sign_in_throttle


def request_id_of(request: Request) -> str:
    given = request.headers.get("X-Request-ID", "")
    return given if _REQUEST_ID.match(given) else uuid.uuid4().hex


def given_key(idempotency_key: str | None) -> str | None:
    """The Idempotency-Key header's value; an empty one is no key (stored as "", it made a second
    request without a key collide with the first)."""
    return (idempotency_key or "").strip() or None


async def get_context(
    request: Request,
    actor: Annotated[Actor | None, Depends(get_actor)],
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> Context:
    request_id = getattr(request.state, "request_id", None) or request_id_of(request)
    return Context(actor=actor, request_id=request_id, idempotency_key=given_key(idempotency_key))


MediatorDep = Annotated[Mediator, Depends(get_mediator)]
ContextDep = Annotated[Context, Depends(get_context)]


class Page:
    """``?limit=&cursor=`` of a list endpoint."""

    def __init__(
        self,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
        cursor: Annotated[str | None, Query(max_length=200)] = None,
    ) -> None:
        self.limit = limit
        self.cursor = cursor


PageDep = Annotated[Page, Depends(Page)]


def page_of(items: list[Any], next_cursor: str | None) -> dict[str, Any]:
    return {"items": items, "next_cursor": next_cursor}
