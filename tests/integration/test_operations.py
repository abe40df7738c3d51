"""Operations endpoints and the CLI."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import httpx
from click.testing import CliRunner
from sqlalchemy import select

from tests.helpers import register, workspace
from visionscope.bootstrap import Container
from visionscope.building_blocks.outbox import DeadMessage, OutboxMessage
from visionscope.cli import main
from visionscope.config import Settings
from visionscope.features.billing.catalog import read_catalog
from visionscope.features.billing.models import FeatureDefinition, PricingTier, TierFeature


async def test_healthz_and_readyz(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "broker": "in-process", "storage": "ok"}


async def test_readyz_reports_an_unreachable_broker(settings: Settings, container: Container) -> None:
    from visionscope.app import create_app

    broken = settings.model_copy(update={"broker_url": "redis://127.0.0.1:1/0"})
    container.settings = broken
    app = create_app(broken, container)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        ready = await http.get("/readyz")
    assert ready.status_code == 503 and ready.json()["checks"]["broker"].startswith("unreachable")


async def test_metrics_count_requests_handlers_and_the_outbox(client: httpx.AsyncClient) -> None:
    owner = await register(client)
    await workspace(client, owner)
    text = (await client.get("/metrics")).text
    assert 'visionscope_http_requests_total{method="POST",route="/v1/workspaces",status="201"} 1.0' in text
    assert 'visionscope_handler_seconds_count{message="CreateWorkspace",outcome="ok"} 1.0' in text
    assert "visionscope_outbox_pending 3.0" in text  # registered, signed in, workspace created
    assert "visionscope_dead_messages 0.0" in text
    lag = next(line for line in text.splitlines() if line.startswith("visionscope_outbox_lag_seconds "))
    assert float(lag.split()[1]) >= 0.0
    assert owner.email not in text  # no personal data in labels


def cli(settings: Settings, *args: str) -> str:
    env = {
        "VISIONSCOPE_DATABASE_URL": settings.database,
        "VISIONSCOPE_DATA_DIR": str(settings.data_dir),
        "VISIONSCOPE_LOG_JSON": "false",
        "VISIONSCOPE_SECRET_KEY": settings.secret_key or "",
    }
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


async def acli(settings: Settings, *args: str) -> str:
    """The CLI runs its own event loop, so async tests run it in a thread."""
    return await asyncio.to_thread(cli, settings, *args)


def test_cli_migrate_and_catalog_load(settings: Settings) -> None:
    assert "up to date" in cli(settings, "migrate")
    assert '"tier_features": 0' in cli(settings, "catalog", "load")


async def test_catalog_reload_applies_a_changed_file(
    settings: Settings, container: Container, tmp_path: Path
) -> None:
    data = read_catalog().model_dump()
    data["version"] = 2
    data["tiers"][0]["features"]["search"]["monthly_credits"] = 999
    del data["tiers"][0]["features"]["chat_message"]
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(data))
    output = await acli(settings, "catalog", "load", "--file", str(path))
    assert "version 2" in output and '"tier_features": 2' in output
    async with container.read_sessions() as session:
        rows = (
            await session.execute(
                select(
                    PricingTier.key, FeatureDefinition.key, TierFeature.monthly_credits, TierFeature.enabled
                )
                .join(TierFeature, TierFeature.tier_id == PricingTier.id)
                .join(FeatureDefinition, FeatureDefinition.id == TierFeature.feature_id)
                .where(PricingTier.key == data["tiers"][0]["key"])
            )
        ).all()
    offers = {feature: (credits, enabled) for _, feature, credits, enabled in rows}
    assert offers["search"] == (999, True)
    assert offers["chat_message"][1] is False  # left out of the file: the tier no longer offers it


async def test_cli_lists_and_replays_dead_messages(
    settings: Settings, container: Container, client: httpx.AsyncClient
) -> None:
    assert "no dead messages" in await acli(settings, "outbox", "dead")
    owner = await register(client)
    await workspace(client, owner)
    async with container.sessions() as session:
        row = await session.scalar(select(OutboxMessage).where(OutboxMessage.type == "WorkspaceCreated"))
        assert row is not None
        dead = DeadMessage(
            event_id=row.event_id,
            event_type=row.type,
            queue="analytics",
            consumer="analytics.count_activity",
            error="RuntimeError: boom",
            attempts=5,
        )
        session.add(dead)
        await session.commit()
        dead_id = dead.id
    listed = await acli(settings, "outbox", "dead")
    assert str(dead_id) in listed and "boom" in listed
    assert f"replayed {dead_id}" in await acli(settings, "outbox", "replay", str(dead_id))
    assert "no dead messages" in await acli(settings, "outbox", "dead")
    result = await asyncio.to_thread(
        CliRunner().invoke,
        main,
        ["outbox", "replay", str(uuid.uuid4())],
        env={"VISIONSCOPE_DATABASE_URL": settings.database, "VISIONSCOPE_DATA_DIR": str(settings.data_dir)},
    )
    assert result.exit_code == 1


def test_the_api_will_not_start_on_a_database_that_was_never_set_up(tmp_path: Path) -> None:
    env = {
        "VISIONSCOPE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'new.db'}",
        "VISIONSCOPE_DATA_DIR": str(tmp_path),
        "VISIONSCOPE_LOG_JSON": "false",
        "VISIONSCOPE_SECRET_KEY": "k" * 40,
    }
    result = CliRunner().invoke(main, ["api", "--port", "1"], env=env)
    assert result.exit_code != 0
    assert "visionscope migrate" in result.output
