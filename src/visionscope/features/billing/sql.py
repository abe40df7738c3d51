"""The few SQL expressions that differ between PostgreSQL and SQLite (SQLite keeps UTC as text)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Float, cast, func, literal
from sqlalchemy.ext.asyncio import AsyncSession

from visionscope.building_blocks.db import dialect_name


def day_of(session: AsyncSession, column: Any) -> ColumnElement[str]:
    """``YYYY-MM-DD`` of a UTC timestamp."""
    if dialect_name(session) == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD")
    return func.substr(column, 1, 10)


def hour_of(session: AsyncSession, column: Any) -> ColumnElement[str]:
    """``YYYY-MM-DD HH`` of a UTC timestamp."""
    if dialect_name(session) == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD HH24")
    return func.substr(column, 1, 13)


def seconds_between(session: AsyncSession, start: Any, end: Any) -> ColumnElement[float]:
    if dialect_name(session) == "postgresql":
        return cast(func.extract("epoch", end - start), Float)
    return (func.julianday(end) - func.julianday(start)) * literal(86400.0)


def parse_hour(text: str) -> datetime:
    return datetime.fromisoformat(f"{text[:10]}T{text[11:13]}:00:00+00:00")
