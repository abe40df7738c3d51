"""Browser tests: the app served by uvicorn on a free loopback port with the embedded runtime, driven by
Debian's headless Chromium through Playwright. Tests marked ``browser`` are left out (deselected, not
skipped) when /usr/bin/chromium or Playwright is missing. Screenshots go to test-artifacts/browser/."""

from __future__ import annotations

import importlib.util
import os
import re
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import uvicorn

from tests.helpers import PASSWORD
from visionscope.app import create_app
from visionscope.config import Settings
from visionscope.migrate import upgrade

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

# Debian's Chromium; VISIONSCOPE_TEST_CHROMIUM names another build of it.
CHROMIUM = Path(os.environ.get("VISIONSCOPE_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
HAS_PLAYWRIGHT = importlib.util.find_spec("playwright") is not None
BROWSER_READY = CHROMIUM.exists() and HAS_PLAYWRIGHT
# Without Playwright the modules that import it are not collected at all (their tests are left out).
collect_ignore = [] if HAS_PLAYWRIGHT else ["test_accounts.py", "test_journey.py"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without Chromium (or Playwright) the ``browser`` tests are deselected, as postgres/redis ones are."""
    if BROWSER_READY:
        return
    keep = [item for item in items if item.get_closest_marker("browser") is None]
    if len(keep) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in keep])
        items[:] = keep


@dataclass
class Server:
    url: str

    def api(
        self,
        method: str,
        path: str,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        sent = {**({"Authorization": f"Bearer {token}"} if token else {}), **(headers or {})}
        with httpx.Client(base_url=self.url, timeout=30) as http:
            return http.request(method, path, headers=sent, **kwargs)


@dataclass
class Person:
    name: str
    email: str
    token: str = ""


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory, models_dir: Path) -> Iterator[Server]:
    """The whole product in one process (api, relay, worker, scheduler) on SQLite, for the session."""
    data = tmp_path_factory.mktemp("browser-data")
    database = f"sqlite+aiosqlite:///{data / 'visionscope.db'}"
    # Playwright's sync API keeps an event loop in this thread: migrate from another one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(upgrade, database).result()
    settings = Settings(
        data_dir=data,
        database_url=database,
        models_dir=models_dir,
        secret_key="browser-test-secret-" + "x" * 40,
        language_model="off",
        log_json=False,
        log_level="WARNING",
        # One test user loads many pages a minute (each video page: ~10 API calls, media ranges and
        # scene pictures); the product's limits are not what these tests are about.
        rate_limits={"free": 100_000, "pro": 100_000, "enterprise": 100_000},
    )
    app = create_app(settings, embedded=True)
    sock = _free_socket()
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False)
    runner = uvicorn.Server(config)
    thread = threading.Thread(target=runner.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not runner.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the app did not start"
        time.sleep(0.05)
    yield Server(f"http://127.0.0.1:{port}")
    runner.should_exit = True
    thread.join(timeout=30)
    sock.close()


@pytest.fixture
def browser() -> Iterator[Browser]:
    """Chromium for one test. Playwright's sync API runs an event loop in this thread while it is
    open, so it is closed after each test: the suite's async tests that follow need the thread free."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    report: pytest.TestReport = yield
    if report.when == "call":
        item.stash[OUTCOME] = report.failed
    return report  # type: ignore[return-value]


OUTCOME = pytest.StashKey[bool]()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser profile (no cookies) at desktop size; uncaught script errors fail the test.
    A failed test leaves a screenshot of where it stopped."""
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="en-GB", timezone_id="UTC")
    context.set_default_timeout(15_000)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    if request.node.stash.get(OUTCOME, False):
        shoot(opened, f"failed-{request.node.name}")
    context.close()
    assert not errors, f"script errors on the page: {errors}"


def ready(page: Page) -> None:
    """Wait until the page's script has loaded what the page shows (it sets body[data-ready])."""
    page.locator("body[data-ready]").wait_for(state="attached")


def shoot(page: Page, name: str, *, full_page: bool = True) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def new_person(name: str = "Ada") -> Person:
    return Person(name=name, email=f"{name.lower()}-{uuid.uuid4().hex[:8]}@example.com")


def sign_up_in_browser(page: Page, server: Server, person: Person, *, screenshot: str | None = None) -> None:
    page.goto(f"{server.url}/signup")
    page.get_by_label("Name").fill(person.name)
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password").fill(PASSWORD)
    if screenshot:
        shoot(page, screenshot)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(f"{server.url}/")
    ready(page)


def sign_in_in_browser(page: Page, server: Server, person: Person, next_path: str = "/") -> None:
    page.goto(f"{server.url}{next_path}")
    page.wait_for_url(re.compile(r"/signin\?next="))
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{server.url}{next_path}")
    ready(page)


def register_by_api(server: Server, name: str = "Ada") -> Person:
    person = new_person(name)
    created = server.api(
        "POST", "/v1/auth/register", json={"email": person.email, "password": PASSWORD, "name": name}
    )
    assert created.status_code == 201, created.text
    tokens = server.api("POST", "/v1/auth/token", data={"username": person.email, "password": PASSWORD})
    assert tokens.status_code == 200, tokens.text
    person.token = tokens.json()["access_token"]
    return person


def workspace_with_project(server: Server, owner: Person, tier: str = "free") -> tuple[str, str]:
    ws = server.api("POST", "/v1/workspaces", owner.token, json={"name": "Briefings", "tier": tier})
    assert ws.status_code == 201, ws.text
    project = server.api(
        "POST", f"/v1/workspaces/{ws.json()['id']}/projects", owner.token, json={"name": "Q3"}
    )
    assert project.status_code == 201, project.text
    return ws.json()["id"], project.json()["id"]
