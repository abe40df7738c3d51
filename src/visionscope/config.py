"""Settings from VISIONSCOPE_* environment variables, with embedded defaults for one machine."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VISIONSCOPE_", extra="ignore")

    data_dir: Path = Field(default=Path("data"), description="Where the SQLite file, media and keys live.")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy async URL; SQLite in data_dir if unset."
    )
    read_database_url: str | None = Field(default=None, description="A read replica for queries.")
    read_your_writes_seconds: float = Field(
        default=10.0,
        gt=0,
        description="After a write, a client reads the primary this long (more than the replica lags).",
    )
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
    outbox_linger_seconds: float = Field(
        default=0.05,
        ge=0,
        description="While events keep coming, a relay passes at most this often, to send them in batches.",
    )
    outbox_retention_days: int = 365
    outbox_sweep_minutes: float = 15.0
    broker_check_seconds: float = Field(
        default=10.0, gt=0, description="How often relays check that the broker did not restart empty."
    )
    consumer_max_failures: int = 5
    consumer_retry_base_seconds: float = 2.0
    max_json_body_bytes: int = 1_000_000
    rate_limits: dict[str, int] = Field(
        default={"free": 300, "pro": 1200, "enterprise": 6000},
        description="Requests a window for each user and API key, by the tier of the workspace addressed.",
    )
    rate_limit_window_seconds: int = Field(default=60, ge=1, description="The window of the rate limits.")
    signin_failures_per_account: int = Field(
        default=5, ge=1, description="Sign-ins of one account before each further one waits longer."
    )
    signin_failures_per_address: int = Field(
        default=20, ge=1, description="Sign-ins from one client address before each further one waits longer."
    )
    registrations_per_address: int = Field(
        default=10, ge=1, description="Accounts made from one client address before each further one waits."
    )
    throttle_max_delay_seconds: int = Field(
        default=900, ge=1, description="The longest wait of a throttled sign-in or registration."
    )
    password_hash_threads: int = Field(
        default=2, ge=1, le=64, description="Threads that hash and check passwords, off the event loop."
    )
    metrics_token: str | None = Field(
        default=None, description="Bearer token GET /metrics requires; without it only loopback clients."
    )
    max_upload_mb: int = Field(
        default=4096, ge=1, description="Largest video upload, whatever the tier allows."
    )
    models_dir: Path | None = Field(
        default=None, description="Where models are assembled; data_dir/models if unset."
    )
    whisper_model_dir: Path | None = Field(
        default=None, description="Any faster-whisper model directory to use."
    )
    analysis_lease_seconds: float = Field(
        default=120.0, gt=5, description="A silent worker's analysis is resumed after this."
    )
    analysis_watch_seconds: float = Field(
        default=5.0, gt=0, description="How often the scheduler looks for analyses whose worker was lost."
    )
    smtp_host: str | None = Field(default=None, description="SMTP server for emailed notices; none if unset.")
    smtp_port: int = 587
    smtp_from: str = "VisionScope <notifications@localhost>"
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = Field(default=True, description="Upgrade the SMTP connection with STARTTLS.")
    smtp_timeout_seconds: float = 10.0
    webhooks_allow_private: bool = Field(
        default=False, description="Allow webhook URLs on private, loopback and link-local addresses."
    )
    webhook_timeout_seconds: float = 10.0
    webhook_max_attempts: int = Field(default=8, ge=1, description="Attempts per delivery before it fails.")
    webhook_retry_base_seconds: float = 30.0
    webhook_retry_max_seconds: float = 3600.0
    webhook_disable_after_failures: int = Field(
        default=20, ge=1, description="Consecutive failed attempts after which an endpoint is disabled."
    )
    webhook_send_batch: int = 50
    llm_url: str | None = Field(
        default=None,
        description="OpenAI-compatible server (vLLM, Ollama, llama.cpp) that writes answers; off if unset.",
    )
    llm_model: str = Field(default="default", description="The model name sent to the answer server.")
    llm_api_key: str | None = Field(
        default=None, description="Bearer key for the answer server, if it needs one."
    )
    llm_timeout_seconds: float = Field(
        default=30.0, gt=0, description="Past this the built-in engine answers instead of the model."
    )
    language_model: Literal["qwen2.5-1.5b", "qwen2.5-0.5b", "off"] = Field(
        default="qwen2.5-1.5b",
        description="The packaged model that writes answers in this process (unless llm_url is set); "
        "off: the built-in engine alone.",
    )
    language_model_threads: int = Field(
        default=0, ge=0, description="Threads of the local model; 0: one per core this process may use."
    )

    @property
    def storage_dir(self) -> Path:
        return self.data_dir / "media"

    @property
    def model_dir(self) -> Path:
        """Where models are assembled: ``models_dir``, or ``data_dir/models`` when unset."""
        return self.models_dir or self.data_dir / "models"

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
            # created readable by its owner only: never, even for a moment, with the default mode
            with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
                out.write(secrets.token_urlsafe(48))
        return path.read_text().strip()
