"""Running Alembic migrations from code (the CLI and tests use this)."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("visionscope") / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url)
    return config


def upgrade(database_url: str, revision: str = "heads") -> None:
    """Apply every migration; independent branches (features) are all brought to their heads."""
    command.upgrade(alembic_config(database_url), revision)
