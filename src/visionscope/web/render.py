"""HTML pages: a layout around a page fragment, with values escaped as they are put in.

Pages are shells: the data is fetched by each page's JavaScript module from the JSON API and
written with ``textContent``, so the only values placed here are ids, the title and the CSRF token.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from string import Template

from fastapi.responses import HTMLResponse

from visionscope.web.assets import bundle

TEMPLATES = Path(__file__).parent / "templates"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self'; "
        "script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


@cache
def _template(name: str) -> Template:
    return Template((TEMPLATES / name).read_text(encoding="utf-8"))


def fragment(
    template: str, values: Mapping[str, str] | None = None, raw: Mapping[str, str] | None = None
) -> str:
    """A template with every value HTML-escaped, but for ``raw`` markup built here from escaped parts."""
    escaped = {key: html.escape(value) for key, value in (values or {}).items()}
    return _template(template).substitute({**escaped, **(raw or {})})


def alert(message: str | None, details: list[str] | None = None) -> str:
    """An error message that screen readers announce; empty when there is none."""
    if not message:
        return ""
    items = "".join(f"<li>{html.escape(d)}</li>" for d in details or [])
    listing = f"<ul>{items}</ul>" if items else ""
    return f'<div class="alert alert-error" role="alert"><p>{html.escape(message)}</p>{listing}</div>'


def page(
    *,
    title: str,
    body: str,
    script: str | None,
    csrf_token: str,
    data: dict[str, str] | None = None,
    signed_in: bool = True,
    status_code: int = 200,
) -> HTMLResponse:
    """A whole page: the layout, the app header when signed in, the fragment and its module."""
    assets = bundle()
    attributes = " ".join(
        f'data-{html.escape(key)}="{html.escape(value)}"' for key, value in (data or {}).items()
    )
    header = (
        fragment("header.html", {"csrf_token": csrf_token}) if signed_in else fragment("header_public.html")
    )
    module = ""
    if script:
        module = f'<script type="module" src="{assets.url(f"js/pages/{script}.js")}"></script>'
    document = _template("layout.html").substitute(
        title=html.escape(title),
        stylesheet=assets.url("app.css"),
        icon=assets.url("icon.svg"),
        module=module,
        attributes=attributes,
        header=header,
        body=body,
    )
    return HTMLResponse(document, status_code=status_code, headers=SECURITY_HEADERS)
