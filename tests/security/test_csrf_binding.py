"""The CSRF token is signed for the session's user: a token planted in the browser (made up, or the
attacker's own) does not pass; over HTTPS the session cookies are __Host- cookies."""

from __future__ import annotations

import re
import uuid

import httpx

from tests.helpers import PASSWORD
from tests.security.test_sign_in_throttle import Clients, app_clients
from visionscope.config import Settings

BODY = {"name": "Studio", "tier": "free"}


async def _signed_up(http: httpx.AsyncClient, prefix: str = "") -> None:
    page = await http.get("/signup")
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found
    email = f"ada-{uuid.uuid4().hex[:8]}@example.com"
    form = {"csrf_token": found.group(1), "name": "Ada", "email": email, "password": PASSWORD}
    signed = await http.post("/signup", data=form)
    assert signed.status_code == 303, signed.text


def plant(http: httpx.AsyncClient, name: str, value: str) -> None:
    """What a sibling site (or a script injected elsewhere) could do: replace a cookie."""
    http.cookies.delete(name)
    http.cookies.set(name, value, domain="visionscope.test")


async def test_a_planted_csrf_cookie_and_header_do_not_pass(settings: Settings) -> None:
    async with app_clients(settings) as client:
        victim = client("198.51.100.50")
        await _signed_up(victim)
        plant(victim, "vs_csrf", "x")
        planted = await victim.post("/v1/workspaces", json=BODY, headers={"X-CSRF-Token": "x"})
        assert planted.status_code == 403, planted.text


async def test_the_attackers_own_token_does_not_pass_in_the_victims_browser(settings: Settings) -> None:
    async with app_clients(settings) as client:
        attacker, victim = client("203.0.113.50"), client("198.51.100.51")
        await _signed_up(attacker)
        await _signed_up(victim)
        own = attacker.cookies["vs_csrf"]
        assert (
            await attacker.post("/v1/workspaces", json=BODY, headers={"X-CSRF-Token": own})
        ).status_code == 201
        plant(victim, "vs_csrf", own)
        planted = await victim.post("/v1/workspaces", json=BODY, headers={"X-CSRF-Token": own})
        assert planted.status_code == 403
        # The victim's own page still works: it gets a token signed for her.
        page = await victim.get("/")
        assert page.status_code == 200
        fresh = victim.cookies["vs_csrf"]
        assert fresh != own
        made = await victim.post("/v1/workspaces", json=BODY, headers={"X-CSRF-Token": fresh})
        assert made.status_code == 201, made.text


async def test_over_https_the_session_lives_in_host_prefixed_cookies(settings: Settings) -> None:
    async with app_clients(settings) as client:
        plain: Clients = client
        secure = plain("198.51.100.52")
        secure.base_url = httpx.URL("https://visionscope.test")
        page = await secure.get("/signup")
        assert "__Host-vs_csrf=" in page.headers["set-cookie"]
        found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert found
        form = {
            "csrf_token": found.group(1),
            "name": "Ada",
            "email": f"ada-{uuid.uuid4().hex[:8]}@example.com",
            "password": PASSWORD,
        }
        signed = await secure.post("/signup", data=form)
        assert signed.status_code == 303, signed.text
        cookies = {line.split("=", 1)[0]: line for line in signed.headers.get_list("set-cookie")}
        for name in ("__Host-vs_access", "__Host-vs_csrf", "__Host-vs_session"):
            assert "Secure" in cookies[name] and "Path=/" in cookies[name] and "Domain" not in cookies[name]
        assert (
            "Secure" in cookies["__Secure-vs_refresh"] and "Path=/session" in cookies["__Secure-vs_refresh"]
        )
        assert "vs_access" not in {c.split("=")[0] for c in cookies}
        token = secure.cookies["__Host-vs_csrf"]
        made = await secure.post("/v1/workspaces", json=BODY, headers={"X-CSRF-Token": token})
        assert made.status_code == 201, made.text
        # A cookie without the prefix (as a sibling site could set) is not the session over HTTPS.
        plant(secure, "vs_access", secure.cookies["__Host-vs_access"])
        secure.cookies.delete("__Host-vs_access")
        assert (await secure.get("/v1/me")).status_code == 401
