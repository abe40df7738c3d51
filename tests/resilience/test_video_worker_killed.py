"""A video worker SIGKILLed in the middle of a stage: within seconds of its lease running out the
video says it is resuming, a live worker takes it over and resumes from the finished stages,
and the video ends ready, charged once, with nothing left reserved.

Real processes: PostgreSQL, Redis, a relay, beat (the scheduler that notices lost analyses), a
worker for billing, notifications and analytics, and video workers: the first is killed with
its whole process group.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from tests.conftest import REDIS_URL, truncate_postgres
from tests.helpers import Account, register, workspace
from tests.media import generate
from tests.resilience.processes import stop, visionscope
from visionscope.app import create_app
from visionscope.bootstrap import build_container
from visionscope.config import Settings
from visionscope.features.videos.results import work_key

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
LEASE = 8.0
SPEC = Path(__file__).parents[1] / "media" / "e2e.spec"


async def watch(
    client: httpx.AsyncClient, owner: Account, video_id: str, until: Any, what: str
) -> dict[str, Any]:
    """Poll the video until ``until(video)``; a safety net stops a test that would wait forever."""
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        video: dict[str, Any] = (await client.get(f"/v1/videos/{video_id}", headers=owner.headers)).json()
        if until(video):
            return video
        await asyncio.sleep(0.1)
    raise AssertionError(f"gave up waiting: {what}")


def state(video: dict[str, Any]) -> tuple[Any, ...]:
    return video["status"], video["stage"], video["progress"]


async def pools(client: httpx.AsyncClient, owner: Account, ws: dict[str, Any]) -> dict[str, dict[str, Any]]:
    items = (await client.get(f"/v1/workspaces/{ws['id']}/credits", headers=owner.headers)).json()["items"]
    return {p["feature"]: p for p in items}


async def scenario(settings: Settings, content: bytes, env: dict[str, str], logs: Path) -> dict[str, Any]:
    container = build_container(settings)
    app = create_app(settings, container)
    first = visionscope(
        ["worker", "-Q", "video_processing", "--concurrency", "1"], env, logs / "video-1.log", group=True
    )
    second = None
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://visionscope.test", timeout=60
        ) as client:
            owner = await register(client)
            ws = await workspace(client, owner)
            project = (
                await client.post(
                    f"/v1/workspaces/{ws['id']}/projects", json={"name": "p"}, headers=owner.headers
                )
            ).json()["id"]
            uploaded = await client.post(
                f"/v1/projects/{project}/videos",
                files={"file": ("clip.mp4", content, "video/mp4")},
                headers=owner.headers,
            )
            assert uploaded.status_code == 202, uploaded.text
            video_id = uploaded.json()["id"]
            running = await watch(
                client,
                owner,
                video_id,
                lambda v: v["stage"] in ("text", "speech", "index"),
                "the first worker to have finished the scan",
            )
            work = container.storage.path(work_key(uuid.UUID(video_id)))
            os.killpg(first.pid, signal.SIGKILL)
            killed = time.monotonic()
            first.wait()
            kept = {f.name: f.stat().st_mtime_ns for f in work.glob("*.json")}
            resuming = await watch(
                client, owner, video_id, lambda v: v["resuming"], "the video to say it resumes"
            )
            noticed = time.monotonic() - killed
            second = visionscope(
                ["worker", "-Q", "video_processing", "--concurrency", "1"], env, logs / "video-2.log"
            )
            second_started = time.monotonic()
            moving = await watch(
                client,
                owner,
                video_id,
                lambda v: not v["resuming"] and state(v) != state(resuming),
                "the analysis to move again",
            )
            moved = time.monotonic() - killed
            taken_over = time.monotonic() - second_started
            ready = await watch(
                client, owner, video_id, lambda v: v["status"] not in ("queued", "processing"), "the end"
            )
            figures = await pools(client, owner, ws)
            rewritten = [name for name, mtime in kept.items() if (work / name).stat().st_mtime_ns != mtime]
    finally:
        stop(*(p for p in (first, second) if p is not None))
        await container.dispose()
    return {
        "running": running,
        "resuming": resuming,
        "moving": moving,
        "ready": ready,
        "pools": figures,
        "kept": kept,
        "rewritten": rewritten,
        "noticed": noticed,
        "moved": moved,
        "taken_over": taken_over,
    }


def test_a_killed_video_worker_is_replaced_and_the_video_ends_ready_charged_once(
    tmp_path: Path, postgres_migrated: str, models_dir: Path
) -> None:
    asyncio.run(truncate_postgres(postgres_migrated))
    assert REDIS_URL is not None
    redis.Redis.from_url(REDIS_URL).flushdb()
    source = generate.make_video(SPEC, tmp_path / "media", "clip", width=640, height=360, fps=25)
    env = {
        **os.environ,
        "VISIONSCOPE_DATABASE_URL": postgres_migrated,
        "VISIONSCOPE_BROKER_URL": REDIS_URL,
        "VISIONSCOPE_DATA_DIR": str(tmp_path / "data"),
        "VISIONSCOPE_MODELS_DIR": str(models_dir),
        "VISIONSCOPE_SECRET_KEY": "resilience-" + "x" * 40,
        "VISIONSCOPE_LOG_JSON": "false",
        "VISIONSCOPE_LOG_LEVEL": "WARNING",
        "VISIONSCOPE_ANALYSIS_LEASE_SECONDS": str(LEASE),
        "VISIONSCOPE_ANALYSIS_WATCH_SECONDS": "1",
    }
    services = [
        visionscope(["relay"], env, tmp_path / "relay.log"),
        visionscope(["beat"], env, tmp_path / "beat.log"),
        visionscope(
            ["worker", "-Q", "billing,notifications,analytics", "--concurrency", "1"], env, tmp_path / "w.log"
        ),
    ]
    settings = Settings(
        database_url=postgres_migrated,
        broker_url=REDIS_URL,
        data_dir=tmp_path / "data",
        models_dir=models_dir,
        secret_key=env["VISIONSCOPE_SECRET_KEY"],
        analysis_lease_seconds=LEASE,
    )
    try:
        seen = asyncio.run(scenario(settings, source.read_bytes(), env, tmp_path))
    finally:
        stop(*services)
    print(
        f"killed in {seen['running']['stage']} at {seen['running']['progress']:.2f}; resuming shown "
        f"{seen['noticed']:.1f} s and moving again ({seen['moving']['stage']} at "
        f"{seen['moving']['progress']:.2f}) {seen['moved']:.1f} s after the kill, "
        f"{seen['taken_over']:.1f} s after a new worker was started (lease {LEASE:.0f} s)"
    )
    assert seen["resuming"]["status"] == "processing" and seen["resuming"]["eta_seconds"] is None
    assert seen["ready"]["status"] == "ready", seen["ready"]
    # Resumed, not restarted: the stages finished before the kill were not run again.
    assert "scan.json" in seen["kept"] and seen["rewritten"] == [], seen["rewritten"]
    analysis = seen["pools"]["video_analysis"]
    assert analysis["used"] == 10 and analysis["reserved"] == 0  # one minute, charged once
    assert all(pool["reserved"] == 0 for pool in seen["pools"].values())
