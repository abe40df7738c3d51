"""The pages' session cookies: the API's own tokens kept HttpOnly, and a double-submit CSRF token.

- ``vs_access``: the access token (HttpOnly, SameSite=Lax, path /), read by the API's ``get_actor``.
- ``vs_refresh``: the refresh token (HttpOnly, SameSite=Lax), sent only to ``/session/...``.
- ``vs_session``: when the access token expires (unix seconds); readable, so that the pages refresh
  in time and page requests know a session may exist. It holds no secret.
- ``vs_csrf``: a random token the pages echo in ``X-CSRF-Token`` or a form field; readable.
"""

from __future__ import annotations

import secrets
import time
from urllib.parse import quote

from fastapi import Request, Response

from visionscope.building_blocks.web import CSRF_COOKIE, SESSION_COOKIE, csrf_token_matches
from visionscope.features.identity.schemas import TokenPair

REFRESH_COOKIE = "vs_refresh"
SESSION_HINT_COOKIE = "vs_session"
SESSION_PATH = "/session"
CSRF_FIELD = "csrf_token"


def is_secure(request: Request) -> bool:
    return request.url.scheme == "https"


def signed_in_hint(request: Request) -> bool:
    """Whether the browser holds a session that the pages could use or refresh."""
    return bool(request.cookies.get(SESSION_COOKIE) or request.cookies.get(SESSION_HINT_COOKIE))


def refresh_token_of(request: Request) -> str | None:
    return request.cookies.get(REFRESH_COOKIE) or None


def csrf_token_of(request: Request) -> str | None:
    return request.cookies.get(CSRF_COOKIE) or None


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_form_ok(request: Request, given: str | None) -> bool:
    return csrf_token_matches(request, given)


def set_csrf_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(
        CSRF_COOKIE, token, path="/", samesite="lax", secure=is_secure(request), httponly=False
    )


def start_session(response: Response, request: Request, tokens: TokenPair, refresh_seconds: int) -> None:
    """Put a fresh token pair in the cookies (and a new CSRF token: none survives a sign-in)."""
    secure = is_secure(request)
    expires_at = int(time.time()) + tokens.expires_in
    response.set_cookie(
        SESSION_COOKIE,
        tokens.access_token,
        max_age=tokens.expires_in,
        path="/",
        samesite="lax",
        secure=secure,
        httponly=True,
    )
    response.set_cookie(
        REFRESH_COOKIE,
        tokens.refresh_token,
        max_age=refresh_seconds,
        path=SESSION_PATH,
        samesite="lax",
        secure=secure,
        httponly=True,
    )
    response.set_cookie(
        SESSION_HINT_COOKIE, str(expires_at), max_age=refresh_seconds, path="/", samesite="lax", secure=secure
    )


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(REFRESH_COOKIE, path=SESSION_PATH)
    response.delete_cookie(SESSION_HINT_COOKIE, path="/")


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
