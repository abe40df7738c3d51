"""Routes of the web pages: sign-up, sign-in and the session cookies, the page shells, static assets."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.datastructures import FormData

from visionscope.building_blocks.errors import DomainError, Forbidden, Unauthenticated
from visionscope.building_blocks.mediator import Context
from visionscope.building_blocks.problems import problem_response
from visionscope.building_blocks.web import (
    ANONYMOUS_SUBJECT,
    CSRF_HEADER,
    client_address,
    csrf_token_signed_for,
    get_mediator,
    new_csrf_token,
    request_id_of,
)
from visionscope.features.identity.commands import RefreshSession, RegisterUser, SignIn, SignOut
from visionscope.features.identity.schemas import TokenPair
from visionscope.features.identity.throttling import SignInThrottle
from visionscope.web import session
from visionscope.web.assets import asset_response
from visionscope.web.render import alert, fragment, page

router = APIRouter(include_in_schema=False)
SEE_OTHER = 303
FORM_FIELDS = 10
FIELD_HINTS = {
    "email": "Enter a valid email address.",
    "password": "Use a password of at least 8 characters that is not a common one.",
    "name": "Enter your name.",
}


def _context(request: Request) -> Context:
    request_id = getattr(request.state, "request_id", None) or request_id_of(request)
    return Context(actor=None, request_id=request_id)


def _throttle(request: Request) -> SignInThrottle:
    throttle: SignInThrottle = request.app.state.sign_in_throttle
    return throttle


def _refresh_seconds(request: Request) -> int:
    return int(request.app.state.container.settings.refresh_token_days) * 86400


def _with_csrf(request: Request) -> tuple[str, bool]:
    """The CSRF token of this browser, and whether it is new (and must be set as a cookie)."""
    return session.csrf_token_for_page(request)


def _app_page(request: Request, title: str, name: str, **ids: uuid.UUID) -> Response:
    """A signed-in page's shell; without a session, the way to sign in (and back here)."""
    if not session.signed_in_hint(request):
        return RedirectResponse(session.sign_in_url(request), status_code=SEE_OTHER)
    token, is_new = _with_csrf(request)
    data = {"page": name, **{key.replace("_", "-"): str(value) for key, value in ids.items()}}
    body = fragment(f"{name}.html", {key: str(value) for key, value in ids.items()})
    response = page(title=title, body=body, script=name, csrf_token=token, data=data)
    if is_new:
        session.set_csrf_cookie(response, request, token)
    return response


def _form_page(
    request: Request,
    template: str,
    title: str,
    *,
    error: str | None = None,
    details: list[str] | None = None,
    status_code: int = 200,
    **values: str,
) -> HTMLResponse:
    """The sign-in or sign-up form, with what went wrong and the values to keep."""
    token, is_new = _with_csrf(request)
    body = fragment(f"{template}.html", {"csrf_token": token, **values}, raw={"alert": alert(error, details)})
    response = page(
        title=title, body=body, script=None, csrf_token=token, signed_in=False, status_code=status_code
    )
    if is_new:
        session.set_csrf_cookie(response, request, token)
    return response


def _field_problems(err: DomainError) -> list[str]:
    fields = [str(e.get("field", "")) for e in err.extra.get("errors", []) if isinstance(e, dict)]
    return sorted({FIELD_HINTS.get(f.split(".")[-1], f"Check {f}.") for f in fields if f})


def _signed_in(request: Request, tokens: TokenPair, target: str) -> Response:
    response = RedirectResponse(target, status_code=SEE_OTHER)
    _start(request, response, tokens)
    return response


async def _form(request: Request) -> FormData:
    """A server form, read only when the browser holds a CSRF cookie (else it cannot be valid):
    small fields, no files (the body itself is capped by the middleware)."""
    if not session.csrf_token_of(request):
        return FormData()
    return await request.form(max_files=0, max_fields=FORM_FIELDS)


def _start(request: Request, response: Response, tokens: TokenPair, *, keep_csrf: bool = False) -> None:
    """The session's cookies, with a CSRF token signed for its user (``keep_csrf``: the browser's
    own, when it already is)."""
    session.start_session(response, request, tokens, _refresh_seconds(request))
    user = request.app.state.session_user(tokens.access_token) or ANONYMOUS_SUBJECT
    current = session.csrf_token_of(request)
    if not (keep_csrf and current and csrf_token_signed_for(request, current, user)):
        session.set_csrf_cookie(response, request, new_csrf_token(request, user))


def _text(form: Any, key: str) -> str:
    value = form.get(key)
    return value if isinstance(value, str) else ""


@router.get("/static/{version}/{path:path}")
async def static_asset(request: Request, version: str, path: str) -> Response:
    return asset_response(request, version, path)


@router.get("/signin")
async def sign_in_page(request: Request, next: str | None = None) -> Response:
    return _form_page(request, "signin", "Sign in", email="", next=session.local_path(next))


@router.post("/signin")
async def sign_in(request: Request) -> Response:
    form = await _form(request)
    email, target = _text(form, "email"), session.local_path(_text(form, "next"))
    if not session.csrf_form_ok(request, _text(form, session.CSRF_FIELD)):
        return _form_page(
            request,
            "signin",
            "Sign in",
            error="This form expired. Please sign in again.",
            status_code=403,
            email=email,
            next=target,
        )
    try:
        tokens = await _throttle(request).sign_in(
            get_mediator(request),
            _context(request),
            email=email,
            password=_text(form, "password"),
            address=client_address(request),
        )
    except DomainError as err:
        message = "Wrong email or password." if isinstance(err, Unauthenticated) else err.detail
        return _form_page(
            request, "signin", "Sign in", error=message, status_code=err.status, email=email, next=target
        )
    return _signed_in(request, tokens, target)


@router.get("/signup")
async def sign_up_page(request: Request) -> Response:
    return _form_page(request, "signup", "Create your account", email="", name="")


@router.post("/signup")
async def sign_up(request: Request) -> Response:
    form = await _form(request)
    email, name, password = _text(form, "email"), _text(form, "name"), _text(form, "password")
    if not session.csrf_form_ok(request, _text(form, session.CSRF_FIELD)):
        return _form_page(
            request,
            "signup",
            "Create your account",
            error="This form expired. Please try again.",
            status_code=403,
            email=email,
            name=name,
        )
    mediator, ctx = get_mediator(request), _context(request)
    try:
        command = RegisterUser(email=email, password=password, name=name)
        await _throttle(request).register(mediator, ctx, command, address=client_address(request))
        tokens = await mediator.send(SignIn(email=email, password=password), _context(request))
    except DomainError as err:
        return _form_page(
            request,
            "signup",
            "Create your account",
            error=err.detail,
            details=_field_problems(err),
            status_code=err.status,
            email=email,
            name=name,
        )
    return _signed_in(request, tokens, "/")


@router.post("/session/refresh")
async def refresh_session(request: Request) -> Response:
    """Trade the refresh cookie for a new pair of cookies (the pages call this before the access expires)."""
    if not session.csrf_form_ok(request, request.headers.get(CSRF_HEADER), anyone=True):
        problem = Forbidden("The CSRF token is missing or wrong; reload the page.")
        return problem_response(403, problem.title, problem.detail, problem.slug)
    refresh = session.refresh_token_of(request)
    try:
        if refresh is None:
            raise Unauthenticated("There is no session to refresh; sign in again.")
        tokens = await get_mediator(request).send(RefreshSession(refresh_token=refresh), _context(request))
    except Unauthenticated as err:
        response: Response = problem_response(401, err.title, err.detail, err.slug)
        session.end_session(response, request)
        return response
    response = Response(status_code=204)
    _start(request, response, tokens, keep_csrf=True)
    return response


@router.post("/session/signout")
async def sign_out(request: Request) -> Response:
    form = await _form(request)
    if not session.csrf_form_ok(request, _text(form, session.CSRF_FIELD), anyone=True):
        return RedirectResponse("/", status_code=SEE_OTHER)
    refresh = session.refresh_token_of(request)
    if refresh is not None:
        await get_mediator(request).send(SignOut(refresh_token=refresh), _context(request))
    response = RedirectResponse("/signin", status_code=SEE_OTHER)
    session.end_session(response, request)
    return response


@router.get("/")
async def workspaces_page(request: Request) -> Response:
    return _app_page(request, "Workspaces", "workspaces")


@router.get("/w/{workspace_id}")
async def dashboard_page(request: Request, workspace_id: uuid.UUID) -> Response:
    return _app_page(request, "Dashboard", "dashboard", workspace_id=workspace_id)


@router.get("/w/{workspace_id}/projects")
async def projects_page(request: Request, workspace_id: uuid.UUID) -> Response:
    return _app_page(request, "Projects", "projects", workspace_id=workspace_id)


@router.get("/w/{workspace_id}/settings")
async def settings_page(request: Request, workspace_id: uuid.UUID) -> Response:
    return _app_page(request, "Workspace settings", "settings", workspace_id=workspace_id)


@router.get("/p/{project_id}")
async def project_page(request: Request, project_id: uuid.UUID) -> Response:
    return _app_page(request, "Project", "project", project_id=project_id)


@router.get("/p/{project_id}/search")
async def search_page(request: Request, project_id: uuid.UUID) -> Response:
    return _app_page(request, "Search", "search", project_id=project_id)


@router.get("/v/{video_id}")
async def video_page(request: Request, video_id: uuid.UUID) -> Response:
    return _app_page(request, "Video", "video", video_id=video_id)
