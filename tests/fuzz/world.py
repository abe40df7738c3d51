"""A running VisionScope for the fuzzer: uvicorn on a loopback port with the embedded runtime (SQLite),
a signed-in owner, an admin API key, and a real id of every kind that a path of the API takes, so
that generated requests reach the operations on existing resources, not only their 404s."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import uvicorn

from tests.helpers import PASSWORD, tiny_video
from visionscope.app import create_app
from visionscope.config import Settings
from visionscope.migrate import upgrade

UNLIMITED = {"free": 1_000_000, "pro": 1_000_000, "enterprise": 1_000_000}


@dataclass
class World:
    url: str
    bearer: dict[str, str]
    api_key: dict[str, str]
    ids: dict[str, str] = field(default_factory=dict)  # path parameter name -> an existing one


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextmanager
def serving(data: Path, models_dir: Path) -> Iterator[str]:
    database = f"sqlite+aiosqlite:///{data / 'visionscope.db'}"
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(upgrade, database).result()
    settings = Settings(
        data_dir=data,
        database_url=database,
        models_dir=models_dir,
        secret_key="fuzz-secret-" + "x" * 40,
        language_model="off",
        log_json=False,
        log_level="ERROR",
        rate_limits=UNLIMITED,
        signin_failures_per_account=1_000_000,
        signin_failures_per_address=1_000_000,
        registrations_per_address=1_000_000,
        webhooks_allow_private=True,
        webhook_max_attempts=1,
    )
    app = create_app(settings, embedded=True)
    sock = _free_socket()
    server = uvicorn.Server(uvicorn.Config(app, log_level="error", lifespan="on", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=60)
        sock.close()


def _ok(response: httpx.Response) -> dict[str, object]:
    assert response.status_code < 300, (response.request.url, response.status_code, response.text)
    body: dict[str, object] = response.json() if response.content else {}
    return body


def populate(url: str) -> World:
    """An owner with a workspace, a project, an analysed video, a conversation, a collaborator, an
    admin API key, a webhook with a delivery, and notices."""
    with httpx.Client(base_url=url, timeout=120) as http:
        people = []
        for name in ("owner", "member"):
            email = f"{name}-{time.monotonic_ns()}@example.com"
            _ok(http.post("/v1/auth/register", json={"email": email, "password": PASSWORD, "name": name}))
            tokens = _ok(http.post("/v1/auth/token", data={"username": email, "password": PASSWORD}))
            people.append((email, {"Authorization": f"Bearer {tokens['access_token']}"}))
        (_, owner), (member_email, member) = people
        ws = _ok(http.post("/v1/workspaces", json={"name": "Fuzz", "tier": "pro"}, headers=owner))
        wid = str(ws["id"])
        _ok(
            http.post(
                f"/v1/workspaces/{wid}/collaborators",
                json={"email": member_email, "role": "editor"},
                headers=owner,
            )
        )
        member_id = str(_ok(http.get("/v1/me", headers=member))["id"])
        project = str(
            _ok(http.post(f"/v1/workspaces/{wid}/projects", json={"name": "p"}, headers=owner))["id"]
        )
        key = _ok(
            http.post(f"/v1/workspaces/{wid}/api-keys", json={"name": "fuzz", "role": "admin"}, headers=owner)
        )
        hook = _ok(
            http.post(
                f"/v1/workspaces/{wid}/webhooks",
                json={"url": "http://127.0.0.1:9/hook", "events": ["video.ready"]},
                headers=owner,
            )
        )
        video = str(
            _ok(
                http.post(
                    f"/v1/projects/{project}/videos",
                    files={"file": ("tiny.mp4", tiny_video(), "video/mp4")},
                    headers=owner,
                )
            )["id"]
        )
        deadline = time.monotonic() + 600
        while _ok(http.get(f"/v1/videos/{video}", headers=owner))["status"] not in ("ready", "failed"):
            assert time.monotonic() < deadline, "the fuzzer's video was not analysed in time"
            time.sleep(0.5)
        ids = {
            "workspace_id": wid,
            "project_id": project,
            "video_id": video,
            "user_id": member_id,
            "key_id": str(key["id"]),
            "hook_id": str(hook["id"]),
            "feature": "chat_message",
            "number": "0",
        }
        started = http.post("/v1/conversations", json={"video_id": video}, headers=owner)
        if started.status_code == 201:
            ids["conversation_id"] = str(started.json()["id"])
        notices = _ok(http.get("/v1/notifications", headers=owner)).get("items") or []
        if isinstance(notices, list) and notices:
            ids["notification_id"] = str(notices[0]["id"])
        for _ in range(100):
            deliveries = _ok(
                http.get(f"/v1/workspaces/{wid}/webhooks/{hook['id']}/deliveries", headers=owner)
            )
            items = deliveries.get("items") or []
            if isinstance(items, list) and items:
                ids["delivery_id"] = str(items[0]["id"])
                break
            time.sleep(0.2)
        return World(url=url, bearer=owner, api_key={"X-API-Key": str(key["key"])}, ids=ids)
