"""Settings from VISIONSCOPE_* environment variables, with embedded defaults for one machine."""

from __future__ import annotations

import secrets
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VISIONSCOPE_", extra="ignore")

    data_dir: Path = Field(default=Path("data"), description="Where the SQLite file, media and keys live.")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy async URL; SQLite in data_dir if unset."
    )
    read_database_url: str | None = Field(default=None, description="A read replica for queries.")
    broker_url: str | None = Field(default=None, description="Redis URL for Celery; in-process if unset.")
    redis_url: str | None = Field(
        default=None, description="Redis for caches and rate limits; broker_url if unset."
    )
    secret_key: str | None = Field(
        default=None, description="Signs tokens; generated into data_dir if unset."
    )
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"
    log_json: bool = True
    access_token_minutes: int = 15
    refresh_token_days: int = 30
    outbox_poll_seconds: float = 1.0
    outbox_batch_size: int = 200
    outbox_retention_days: int = 365
    outbox_sweep_minutes: float = 15.0
    consumer_max_failures: int = 5
    consumer_retry_base_seconds: float = 2.0
    max_json_body_bytes: int = 1_000_000

    @property
    def storage_dir(self) -> Path:
        return self.data_dir / "media"

    @property
    def database(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///{(self.data_dir / 'visionscope.db').resolve()}"

    @property
    def read_database(self) -> str:
        return self.read_database_url or self.database

    @property
    def embedded_transport(self) -> bool:
        return self.broker_url is None

    def token_secret(self) -> str:
        """The configured secret, or one generated once and kept in ``data_dir``."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret.key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()
