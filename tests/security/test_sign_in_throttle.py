"""Password guessing and mass sign-ups are throttled per account and per client address, with
growing delays (429 and Retry-After); argon2 runs off the event loop."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import redis

from tests.conftest import REDIS_URL
from tests.helpers import PASSWORD
from visionscope.app import create_app
from visionscope.bootstrap import Container, build_container
from visionscope.config import Settings
from visionscope.features.identity import security

Clients = Callable[[str], httpx.AsyncClient]


@asynccontextmanager
async def app_clients(settings: Settings, **changes: Any) -> AsyncIterator[Clients]:
    """One app; clients that come from the addresses asked for."""
    container: Container = build_container(settings.model_copy(update=changes))
    app = create_app(container.settings, container)
    opened: list[httpx.AsyncClient] = []

    def client(address: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        opened.append(httpx.AsyncClient(transport=transport, base_url="http://visionscope.test"))
        return opened[-1]

    try:
        yield client
    finally:
        for http in opened:
            await http.aclose()
        await container.dispose()


async def _account(http: httpx.AsyncClient) -> str:
    email = f"ada-{uuid.uuid4().hex[:8]}@example.com"
    created = await http.post("/v1/auth/register", json={"email": email, "password": PASSWORD, "name": "Ada"})
    assert created.status_code == 201, created.text
    return email


async def _sign_in(http: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await http.post("/v1/auth/token", data={"username": email, "password": password})


async def test_guessing_one_accounts_password_is_slowed_down(settings: Settings) -> None:
    async with app_clients(settings) as client:
        attacker, owner = client("203.0.113.7"), client("198.51.100.1")
        email = await _account(owner)
        answers = [await _sign_in(attacker, email, f"guess-{n}") for n in range(40)]
        statuses = [a.status_code for a in answers]
        assert statuses.count(401) <= settings.signin_failures_per_account + 1, statuses
        throttled = [a for a in answers if a.status_code == 429]
        assert len(throttled) >= 30
        assert int(throttled[0].headers["Retry-After"]) >= 1
        assert throttled[0].headers["content-type"].startswith("application/problem+json")
        # While the account waits, even the right password is not tried (nothing to learn).
        assert (await _sign_in(attacker, email, PASSWORD)).status_code == 429


async def test_guesses_sent_at_once_do_not_slip_through(settings: Settings) -> None:
    async with app_clients(settings) as client:
        attacker = client("203.0.113.8")
        email = await _account(client("198.51.100.2"))
        answers = await asyncio.gather(*(_sign_in(attacker, email, f"guess-{n}") for n in range(40)))
        statuses = [a.status_code for a in answers]
        assert statuses.count(401) <= settings.signin_failures_per_account + 1, statuses
        assert statuses.count(429) >= 30


async def test_one_address_guessing_many_accounts_is_slowed_down(settings: Settings) -> None:
    async with app_clients(settings, registrations_per_address=100) as client:
        attacker, other = client("203.0.113.9"), client("192.0.2.44")
        emails = [await _account(other) for _ in range(settings.signin_failures_per_address + 5)]
        statuses = [(await _sign_in(attacker, email, "wrong password")).status_code for email in emails]
        assert 429 in statuses and statuses.count(401) <= settings.signin_failures_per_address + 1
        # Another address is not held up, and the accounts still sign in.
        assert (await _sign_in(other, emails[-1], "wrong password")).status_code == 401
        assert (await _sign_in(other, emails[0], PASSWORD)).status_code == 200


async def test_a_good_password_clears_the_accounts_count(settings: Settings) -> None:
    async with app_clients(settings) as client:
        user = client("198.51.100.3")
        email = await _account(user)
        for _ in range(3):
            for n in range(settings.signin_failures_per_account - 1):
                assert (await _sign_in(user, email, f"typo-{n}")).status_code == 401
            assert (await _sign_in(user, email, PASSWORD)).status_code == 200


async def test_mass_sign_ups_from_one_address_are_slowed_down(settings: Settings) -> None:
    async with app_clients(settings) as client:
        bot, person = client("203.0.113.10"), client("198.51.100.4")
        statuses = []
        for n in range(settings.registrations_per_address + 5):
            body = {"email": f"bot{n}-{uuid.uuid4().hex[:6]}@example.com", "password": PASSWORD, "name": "B"}
            answer = await bot.post("/v1/auth/register", json=body)
            statuses.append(answer.status_code)
        assert statuses[: settings.registrations_per_address] == [201] * settings.registrations_per_address
        assert 429 in statuses
        await _account(person)


async def test_the_web_sign_in_form_is_throttled_too(settings: Settings) -> None:
    async with app_clients(settings) as client:
        browser = client("203.0.113.11")
        email = await _account(client("198.51.100.5"))
        page = await browser.get("/signin")
        token = browser.cookies["vs_csrf"]
        assert page.status_code == 200
        statuses = []
        for n in range(settings.signin_failures_per_account + 3):
            answer = await browser.post(
                "/signin", data={"email": email, "password": f"guess-{n}", "csrf_token": token}
            )
            statuses.append(answer.status_code)
        assert statuses[-1] == 429 and "try again" in answer.text


@pytest.mark.redis
async def test_api_instances_share_the_count_in_redis(settings: Settings) -> None:
    assert REDIS_URL is not None
    redis.Redis.from_url(REDIS_URL).flushdb()
    async with (
        app_clients(settings, redis_url=REDIS_URL) as one,
        app_clients(settings, redis_url=REDIS_URL) as two,
    ):
        email = await _account(one("198.51.100.6"))
        attackers = [one("203.0.113.12"), two("203.0.113.12")]
        answers = await asyncio.gather(*(_sign_in(attackers[n % 2], email, f"guess-{n}") for n in range(30)))
        statuses = [a.status_code for a in answers]
        assert statuses.count(401) <= settings.signin_failures_per_account + 1, statuses
        assert 429 in statuses


async def test_passwords_are_hashed_and_checked_off_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[str] = []
    real = security._hasher

    class Recording:
        def hash(self, password: str) -> str:
            threads.append(threading.current_thread().name)
            return real.hash(password)

        def verify(self, hashed: str, password: str) -> bool:
            threads.append(threading.current_thread().name)
            return real.verify(hashed, password)

    monkeypatch.setattr(security, "_hasher", Recording())
    hashed = await security.hash_password("a long enough password")
    assert await security.verify_password(hashed, "a long enough password")
    assert not await security.verify_password(None, "a long enough password")
    loop_thread = threading.current_thread().name
    assert len(threads) == 3 and loop_thread not in threads
