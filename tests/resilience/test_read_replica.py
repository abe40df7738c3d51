"""A read replica that really lags: a streaming replica made with pg_basebackup that applies
the primary's commits 2 seconds late. A client that just wrote reads its write on the next
request (it reads the primary for a while); another client reads the replica.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from tests.conftest import REDIS_URL
from tests.helpers import register, workspace
from tests.resilience.processes import PostgresServer, postgres_server
from visionscope.app import create_app
from visionscope.bootstrap import build_container
from visionscope.config import Settings
from visionscope.migrate import upgrade

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


async def scenario(settings: Settings) -> dict[str, Any]:
    container = build_container(settings)
    app = create_app(settings, container)
    seen: dict[str, Any] = {}
    writer_transport = httpx.ASGITransport(app=app, client=("10.0.0.1", 40000))
    other_transport = httpx.ASGITransport(app=app, client=("10.0.0.2", 40000))
    try:
        async with (
            httpx.AsyncClient(transport=writer_transport, base_url="http://visionscope.test") as writer,
            httpx.AsyncClient(transport=other_transport, base_url="http://visionscope.test") as other,
        ):
            owner = await register(writer)  # sign-up, then sign-in at once: reads the new user
            ws = await workspace(writer, owner)
            seen["read_workspace"] = (
                await writer.get(f"/v1/workspaces/{ws['id']}", headers=owner.headers)
            ).status_code
            key = await writer.post(
                f"/v1/workspaces/{ws['id']}/api-keys",
                json={"name": "k", "role": "viewer"},
                headers=owner.headers,
            )
            assert key.status_code == 201, key.text
            await asyncio.sleep(3)  # past the replica's lag: the key exists there too
            by_key = {"X-API-Key": key.json()["key"]}

            renamed = await writer.patch(
                f"/v1/workspaces/{ws['id']}", json={"name": "Renamed"}, headers=owner.headers
            )
            assert renamed.status_code == 200, renamed.text
            seen["writer_sees"] = (
                await writer.get(f"/v1/workspaces/{ws['id']}", headers=owner.headers)
            ).json()["name"]
            seen["other_sees"] = (await other.get(f"/v1/workspaces/{ws['id']}", headers=by_key)).json()[
                "name"
            ]
            project = await writer.post(
                f"/v1/workspaces/{ws['id']}/projects", json={"name": "p"}, headers=owner.headers
            )
            listed = await writer.get(f"/v1/workspaces/{ws['id']}/projects", headers=owner.headers)
            seen["project_listed"] = project.json()["id"] in [p["id"] for p in listed.json()["items"]]
            topped = await writer.post(
                f"/v1/workspaces/{ws['id']}/credits/top-ups",
                json={"feature": "search", "credits": 40},
                headers=owner.headers,
            )
            assert topped.status_code in (200, 201), topped.text
            pools = (await writer.get(f"/v1/workspaces/{ws['id']}/credits", headers=owner.headers)).json()[
                "items"
            ]
            seen["purchased"] = next(p for p in pools if p["feature"] == "search")["purchased"]
            await asyncio.sleep(3)
            seen["other_later"] = (await other.get(f"/v1/workspaces/{ws['id']}", headers=by_key)).json()[
                "name"
            ]
    finally:
        await container.dispose()
    return seen


def test_a_client_reads_its_writes_while_others_read_the_lagging_replica(tmp_path: Path) -> None:
    assert REDIS_URL is not None
    redis.Redis.from_url(REDIS_URL).flushdb()
    with postgres_server() as primary:
        upgrade(primary.url)
        replica = PostgresServer()
        try:
            replica.replica_of(primary, apply_delay="2s")
            replica.start()
            settings = Settings(
                database_url=primary.url,
                read_database_url=replica.url,
                redis_url=REDIS_URL,
                data_dir=tmp_path / "data",
                secret_key="replica-" + "x" * 40,
            )
            seen = asyncio.run(scenario(settings))
        finally:
            replica.remove()
    assert seen["read_workspace"] == 200
    assert seen["writer_sees"] == "Renamed"
    assert seen["project_listed"] is True
    assert seen["purchased"] == 40
    assert seen["other_sees"] == "Studio"  # the replica, 2 s behind: proof that it is read
    assert seen["other_later"] == "Renamed"
