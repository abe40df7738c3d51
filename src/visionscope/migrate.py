"""Running Alembic migrations from code (the CLI and tests use this)."""

from __future__ import annotations

import asyncio
from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from visionscope.building_blocks.db import create_engine


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("visionscope") / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url)
    return config


def upgrade(database_url: str, revision: str = "heads") -> None:
    """Apply every migration; independent branches (features) are all brought to their heads."""
    command.upgrade(alembic_config(database_url), revision)


def pending_migrations(database_url: str) -> bool:
    """Whether the database lacks a migration (or was never set up): the schema is not current."""
    heads = set(ScriptDirectory.from_config(alembic_config(database_url)).get_heads())

    def applied(connection: Connection) -> set[str]:
        return set(MigrationContext.configure(connection).get_current_heads())

    async def read() -> set[str]:
        engine = create_engine(database_url)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(applied)
        finally:
            await engine.dispose()

    return asyncio.run(read()) != heads
