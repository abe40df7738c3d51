"""Database plumbing: the declarative base, column types and engines."""

from __future__ import annotations

import enum
import os
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Enum, MetaData, event
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.sql.expression import ReleaseSavepointClause, RollbackToSavepointClause, SavepointClause
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def stored_as_value(kind: type[enum.StrEnum], length: int) -> Enum:
    """A string column holding a StrEnum's values: no database enum type, no extra constraint, so
    the stored strings are the enum's values and a table's CHECK constraint stays the one rule."""
    return Enum(
        kind,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
    )


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UtcDateTime(), dict[str, Any]: JSON()}


class IdMixin:
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


CONNECT_TIMEOUT_SECONDS = 5


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def create_private_sqlite_file(url: str) -> None:
    """Make the SQLite file (it holds webhook secrets) readable by its owner only, before SQLite
    creates it with the default mode (its journal files take the same mode)."""
    path = url.split(":///", 1)[1].split("?", 1)[0] if ":///" in url else ""
    if not path or path == ":memory:":
        return
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    os.chmod(path, 0o600)


def create_engine(url: str, *, pool_size: int = 10, readonly: bool = False) -> AsyncEngine:
    """An async engine; SQLite gets WAL, foreign keys, a busy timeout and write-locking transactions."""
    if not is_sqlite(url):
        engine = create_async_engine(
            url,
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_pre_ping=True,
            # A database that is down or restarting answers a request with 503 in seconds, not a hang.
            pool_timeout=CONNECT_TIMEOUT_SECONDS * 2,
            connect_args={"timeout": CONNECT_TIMEOUT_SECONDS},
            hide_parameters=True,  # errors are logged without the values bound to the statement
        )
        _reuse_one_savepoint_name(engine.dialect)
        return engine
    create_private_sqlite_file(url)
    engine = create_async_engine(url, connect_args={"timeout": 30}, hide_parameters=True)

    @event.listens_for(engine.sync_engine, "connect")
    def _sqlite_connect(dbapi_conn: Any, _record: ConnectionPoolEntry) -> None:
        dbapi_conn.isolation_level = None  # let the "begin" hook below open transactions
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _sqlite_begin(conn: Any) -> None:
        # A writer takes the write lock up front, so that two writers queue on the busy
        # timeout instead of one failing halfway with "database is locked".
        conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")

    return engine


SAVEPOINT_NAME = "visionscope_step"


def _reuse_one_savepoint_name(dialect: Dialect) -> None:
    """Give every savepoint the same name.

    SQLAlchemy names each savepoint of a connection anew (sa_savepoint_1, 2, ...), and asyncpg
    prepares each new statement text: two round trips per SAVEPOINT and per RELEASE. Savepoints
    nest strictly, and PostgreSQL releases or rolls back to the newest savepoint of a name, so
    one name behaves the same and its statements are prepared once per connection (consumers
    take a savepoint per handler).
    """

    def savepoint(conn: Any, _name: str) -> None:
        conn.execute(SavepointClause(SAVEPOINT_NAME))  # type: ignore[no-untyped-call]

    def release(conn: Any, _name: str) -> None:
        conn.execute(ReleaseSavepointClause(SAVEPOINT_NAME))  # type: ignore[no-untyped-call]

    def rollback_to(conn: Any, _name: str) -> None:
        conn.execute(RollbackToSavepointClause(SAVEPOINT_NAME))  # type: ignore[no-untyped-call]

    setattr(dialect, "do_savepoint", savepoint)  # noqa: B010 - replaces the method on this instance
    setattr(dialect, "do_release_savepoint", release)  # noqa: B010
    setattr(dialect, "do_rollback_to_savepoint", rollback_to)  # noqa: B010


def dialect_name(session: AsyncSession) -> str:
    """``postgresql`` or ``sqlite``: the few statements that differ between them ask this."""
    return session.get_bind().dialect.name


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
