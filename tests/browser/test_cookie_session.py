"""The pages' cookie session through HTTP (no browser needed): HttpOnly SameSite=Lax cookies with the
API's own tokens, CSRF on unsafe methods, headers that win over the cookie, refresh and sign-out,
redirects kept on this site, static assets cached for long with strong ETags."""

from __future__ import annotations

import re
import uuid

import httpx

from tests.helpers import PASSWORD
from visionscope.web.assets import bundle


async def csrf_from_form(client: httpx.AsyncClient, path: str) -> str:
    page = await client.get(path)
    assert page.status_code == 200
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found and client.cookies.get("vs_csrf") == found.group(1)
    return found.group(1)


async def sign_up(client: httpx.AsyncClient) -> httpx.Response:
    token = await csrf_from_form(client, "/signup")
    email = f"ada-{uuid.uuid4().hex[:8]}@example.com"
    form = {"csrf_token": token, "name": "Ada", "email": email, "password": PASSWORD}
    return await client.post("/signup", data=form)


def set_cookies(response: httpx.Response) -> dict[str, str]:
    return {line.split("=", 1)[0]: line for line in response.headers.get_list("set-cookie")}


async def test_signing_up_sets_httponly_lax_cookies_that_the_api_accepts(client: httpx.AsyncClient) -> None:
    response = await sign_up(client)
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookies = set_cookies(response)
    for name in ("vs_access", "vs_refresh"):
        assert "HttpOnly" in cookies[name] and "SameSite=lax" in cookies[name], cookies[name]
    assert "Path=/session" in cookies["vs_refresh"]
    assert "HttpOnly" not in cookies["vs_csrf"] and "HttpOnly" not in cookies["vs_session"]
    me = await client.get("/v1/me")
    assert me.status_code == 200 and me.json()["name"] == "Ada"


async def test_unsafe_requests_with_the_cookie_need_the_csrf_token(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    body = {"name": "Studio", "tier": "free"}
    missing = await client.post("/v1/workspaces", json=body)
    wrong = await client.post("/v1/workspaces", json=body, headers={"X-CSRF-Token": "guess"})
    assert missing.status_code == wrong.status_code == 403
    assert missing.headers["content-type"].startswith("application/problem+json")
    right = await client.post(
        "/v1/workspaces", json=body, headers={"X-CSRF-Token": client.cookies["vs_csrf"]}
    )
    assert right.status_code == 201, right.text


async def test_an_authorization_or_api_key_header_wins_over_the_cookie(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    assert (await client.get("/v1/me", headers={"Authorization": "Bearer not-a-token"})).status_code == 401
    assert (await client.get("/v1/me", headers={"X-API-Key": "vsk_not-a-key"})).status_code == 401
    client.cookies.set("vs_access", "forged")
    assert (await client.get("/v1/me")).status_code == 401


async def test_refresh_rotates_the_cookies_and_sign_out_ends_them(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    csrf = {"X-CSRF-Token": client.cookies["vs_csrf"]}
    assert (await client.post("/session/refresh")).status_code == 403
    old_refresh = client.cookies.get("vs_refresh", path="/session")
    refreshed = await client.post("/session/refresh", headers=csrf)
    assert refreshed.status_code == 204
    assert client.cookies.get("vs_refresh", path="/session") != old_refresh
    assert (await client.get("/v1/me")).status_code == 200

    out = await client.post("/session/signout", data={"csrf_token": client.cookies["vs_csrf"]})
    assert out.status_code == 303 and out.headers["location"] == "/signin"
    assert (await client.get("/v1/me")).status_code == 401
    page = await client.get("/w/" + str(uuid.uuid4()))
    assert page.status_code == 303 and page.headers["location"].startswith("/signin?next=/w/")
    again = await client.post("/session/refresh", headers=csrf)
    assert again.status_code == 401


async def test_sign_in_needs_its_csrf_token_and_redirects_only_on_this_site(
    client: httpx.AsyncClient,
) -> None:
    await sign_up(client)
    email = (await client.get("/v1/me")).json()["email"]
    client.cookies.clear()
    token = await csrf_from_form(client, "/signin")
    forged = await client.post("/signin", data={"email": email, "password": PASSWORD})
    assert forged.status_code == 403 and "This form expired" in forged.text
    wrong = await client.post("/signin", data={"csrf_token": token, "email": email, "password": "nope-nope"})
    assert wrong.status_code == 401 and "Wrong email or password" in wrong.text
    for target, expected in (
        ("//evil.example/x", "/"),
        ("https://evil.example", "/"),
        ("/w/abc?x=1", "/w/abc?x=1"),
    ):
        signed_in = await client.post(
            "/signin",
            data={
                "csrf_token": client.cookies["vs_csrf"],
                "email": email,
                "password": PASSWORD,
                "next": target,
            },
        )
        assert signed_in.status_code == 303 and signed_in.headers["location"] == expected


async def test_pages_are_not_cached_and_assets_are_cached_for_long(client: httpx.AsyncClient) -> None:
    page = await client.get("/signin")
    assert page.headers["cache-control"] == "no-store"
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assets = bundle()
    stylesheet = assets.url("app.css")
    assert stylesheet in page.text
    first = await client.get(stylesheet)
    assert first.status_code == 200 and first.headers["content-type"].startswith("text/css")
    assert "immutable" in first.headers["cache-control"] and first.headers["etag"].startswith('"')
    again = await client.get(stylesheet, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and not again.content
    stale = await client.get("/static/old-version/app.css")
    assert stale.status_code == 200 and stale.headers["cache-control"] == "no-cache"
    assert (await client.get(f"/static/{assets.version}/..%2F..%2Fapp.py")).status_code == 404
