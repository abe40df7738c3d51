"""The pages' session cookies: the API's own tokens kept HttpOnly, and a double-submit CSRF token.

- ``vs_access``: the access token (HttpOnly, SameSite=Lax, path /), read by the API's ``get_actor``.
- ``vs_refresh``: the refresh token (HttpOnly, SameSite=Lax), sent only to ``/session/...``.
- ``vs_session``: when the access token expires (unix seconds); readable, so that the pages refresh
  in time and page requests know a session may exist. It holds no secret.
- ``vs_csrf``: a token signed for the session's user (or for nobody yet, on the sign-in and sign-up
  forms) that the pages echo in ``X-CSRF-Token`` or a form field; readable.

Over HTTPS their names carry the ``__Host-`` prefix (``__Secure-`` for the refresh cookie).
"""

from __future__ import annotations

import time
from urllib.parse import quote

from fastapi import Request, Response

from visionscope.building_blocks.web import (
    ANONYMOUS_SUBJECT,
    CSRF_COOKIE,
    REFRESH_COOKIE,
    SESSION_COOKIE,
    cookie_name,
    csrf_token_matches,
    csrf_token_signed_for,
    new_csrf_token,
    read_cookie,
    session_user,
)
from visionscope.features.identity.schemas import TokenPair

SESSION_HINT_COOKIE = "vs_session"
SESSION_PATH = "/session"
CSRF_FIELD = "csrf_token"


def is_secure(request: Request) -> bool:
    return request.url.scheme == "https"


def signed_in_hint(request: Request) -> bool:
    """Whether the browser holds a session that the pages could use or refresh."""
    return bool(read_cookie(request, SESSION_COOKIE) or read_cookie(request, SESSION_HINT_COOKIE))


def refresh_token_of(request: Request) -> str | None:
    return read_cookie(request, REFRESH_COOKIE)


def csrf_token_of(request: Request) -> str | None:
    return read_cookie(request, CSRF_COOKIE)


def csrf_subject(request: Request) -> str:
    """Whom this browser's CSRF token must be signed for: the session's user, or nobody yet."""
    return session_user(request) or ANONYMOUS_SUBJECT


def csrf_token_for_page(request: Request) -> tuple[str, bool]:
    """The browser's CSRF token when it is signed for this session, else a new one (to be set).

    Without a live access cookie but with a session to refresh, the token is kept as it is: the
    refresh that follows keeps it when it is the user's, and replaces it otherwise."""
    existing = csrf_token_of(request)
    user = session_user(request)
    if existing and user is None and signed_in_hint(request):
        return existing, False
    subject = user or ANONYMOUS_SUBJECT
    if existing and csrf_token_signed_for(request, existing, subject):
        return existing, False
    return new_csrf_token(request, subject), True


def csrf_form_ok(request: Request, given: str | None, *, anyone: bool = False) -> bool:
    """``anyone``: a token signed for any session will do (signing out, refreshing: nothing to gain)."""
    return csrf_token_matches(request, given, None if anyone else csrf_subject(request))


def set_csrf_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(
        cookie_name(request, CSRF_COOKIE),
        token,
        path="/",
        samesite="lax",
        secure=is_secure(request),
        httponly=False,
    )


def start_session(response: Response, request: Request, tokens: TokenPair, refresh_seconds: int) -> None:
    """Put a fresh token pair in the cookies (and a new CSRF token: none survives a sign-in)."""
    secure = is_secure(request)
    expires_at = int(time.time()) + tokens.expires_in
    response.set_cookie(
        cookie_name(request, SESSION_COOKIE),
        tokens.access_token,
        max_age=tokens.expires_in,
        path="/",
        samesite="lax",
        secure=secure,
        httponly=True,
    )
    response.set_cookie(
        cookie_name(request, REFRESH_COOKIE),
        tokens.refresh_token,
        max_age=refresh_seconds,
        path=SESSION_PATH,
        samesite="lax",
        secure=secure,
        httponly=True,
    )
    response.set_cookie(
        cookie_name(request, SESSION_HINT_COOKIE),
        str(expires_at),
        max_age=refresh_seconds,
        path="/",
        samesite="lax",
        secure=secure,
    )


def end_session(response: Response, request: Request) -> None:
    secure = is_secure(request)
    response.delete_cookie(cookie_name(request, SESSION_COOKIE), path="/", secure=secure)
    response.delete_cookie(cookie_name(request, REFRESH_COOKIE), path=SESSION_PATH, secure=secure)
    response.delete_cookie(cookie_name(request, SESSION_HINT_COOKIE), path="/", secure=secure)


def local_path(target: str | None, default: str = "/") -> str:
    """``target`` when it is a path on this site; never an open redirect to another host."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    if any(ord(ch) < 0x20 for ch in target):
        return default
    return target


def sign_in_url(request: Request) -> str:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/signin?next=" + quote(here, safe="/")
