"""Shared fixtures: a migrated database per test (SQLite always; PostgreSQL when configured),
the application container, an HTTP client and the embedded runtime."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from visionscope.app import create_app
from visionscope.bootstrap import Container, build_container
from visionscope.building_blocks.db import create_engine, session_factory
from visionscope.building_blocks.uow import UnitOfWork
from visionscope.clock import utc_clock
from visionscope.config import Settings
from visionscope.features.billing.catalog import read_catalog
from visionscope.features.billing.commands import LoadCatalog
from visionscope.features.billing.handlers import load_catalog
from visionscope.migrate import upgrade
from visionscope.runtime import EmbeddedRuntime

PG_URL = os.environ.get("VISIONSCOPE_TEST_DATABASE_URL")
REDIS_URL = os.environ.get("VISIONSCOPE_TEST_REDIS_URL")
# A streaming replica of the test PostgreSQL server (scripts/with-lagging-replica.sh starts one that
# applies commits 2 s late): the same database on the replica's port, read by the postgres backend.
READ_PG_URL = os.environ.get("VISIONSCOPE_TEST_READ_DATABASE_URL")
KEEP_TABLES = {"alembic_version", "pricing_tiers", "feature_definitions", "tier_features"}
BACKENDS = ["sqlite", *(["postgres"] if PG_URL else [])]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``postgres`` or ``redis`` are left out when those servers are not configured."""
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        needs_pg = item.get_closest_marker("postgres") is not None and not PG_URL
        needs_redis = item.get_closest_marker("redis") is not None and not REDIS_URL
        (drop if needs_pg or needs_redis else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "visionscope.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_migrated() -> str:
    assert PG_URL is not None
    upgrade(PG_URL)
    return PG_URL


async def truncate_postgres(url: str) -> None:
    """Empty every table but the catalog, and put the packaged catalog back as it was.

    With a read replica the rows are deleted instead: TRUNCATE's exclusive locks, replayed by a
    replica that applies commits late, would hold a test's first replica reads for the delay, and
    a reader holding a lock the replay wants meanwhile is cancelled as a deadlock.
    """
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        names = (
            (await conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")))
            .scalars()
            .all()
        )
        wipe = [n for n in names if n not in KEEP_TABLES]
        if wipe and READ_PG_URL:
            await delete_rows(conn, wipe)
        elif wipe:
            await conn.execute(
                text("TRUNCATE " + ", ".join(f'"{n}"' for n in wipe) + " RESTART IDENTITY CASCADE")
            )
    await engine.dispose()
    catalog_engine = create_engine(url)
    uow = UnitOfWork(session_factory(catalog_engine))
    async with uow:
        await load_catalog(LoadCatalog(catalog=read_catalog().model_dump()), uow=uow, clock=utc_clock)
        await uow.commit()
    await catalog_engine.dispose()


async def delete_rows(conn: AsyncConnection, tables: list[str]) -> None:
    """DELETE every row of ``tables`` (foreign keys unchecked meanwhile) and restart their sequences."""
    await conn.execute(text("SET LOCAL session_replication_role = replica"))
    for name in tables:
        await conn.execute(text(f'DELETE FROM "{name}"'))  # noqa: S608 - the names come from pg_tables
    owned = text(
        "SELECT seq.oid::regclass::text FROM pg_class seq"
        " JOIN pg_depend dep ON dep.objid = seq.oid AND dep.refclassid = 'pg_class'::regclass"
        " JOIN pg_class tab ON tab.oid = dep.refobjid"
        " WHERE seq.relkind = 'S' AND tab.relname = ANY(:tables)"
    )
    for sequence in (await conn.execute(owned, {"tables": tables})).scalars().all():
        await conn.execute(text("SELECT setval(:sequence, 1, false)"), {"sequence": sequence})


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        target = tmp_path / "visionscope.db"
        shutil.copy(template, target)
        yield f"sqlite+aiosqlite:///{target}"
    else:
        url: str = request.getfixturevalue("postgres_migrated")
        import asyncio

        asyncio.run(truncate_postgres(url))
        yield url


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the analysis models are assembled, once a session."""
    return tmp_path_factory.mktemp("models")


@pytest.fixture
def settings(backend: str, database_url: str, tmp_path: Path, models_dir: Path) -> Settings:
    return Settings(
        models_dir=models_dir,
        data_dir=tmp_path / "data",
        database_url=database_url,
        read_database_url=READ_PG_URL if backend == "postgres" else None,
        secret_key="test-secret-" + "x" * 40,
        log_json=False,
        consumer_retry_base_seconds=0.05,
        language_model="off",  # the tests of model answers turn it on
    )


@pytest.fixture
async def container(settings: Settings) -> AsyncIterator[Container]:
    built = build_container(settings)
    yield built
    await built.dispose()


@pytest.fixture
async def runtime(container: Container) -> AsyncIterator[EmbeddedRuntime]:
    embedded = EmbeddedRuntime(container)
    await embedded.start()
    yield embedded
    await embedded.stop()


@pytest.fixture
async def client(settings: Settings, container: Container) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, container)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://visionscope.test") as http:
        yield http
