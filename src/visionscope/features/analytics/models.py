"""Analytics tables: counts of business events per workspace and day."""

from __future__ import annotations

from datetime import date

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from visionscope.building_blocks.db import Base
from visionscope.building_blocks.outbox import BIGINT_PK

NO_WORKSPACE = "-"


class ActivityCount(Base):
    __tablename__ = "activity_counts"

    id: Mapped[int] = mapped_column(BIGINT_PK, primary_key=True, autoincrement=True)
    workspace: Mapped[str] = mapped_column(String(36))  # a workspace id, or "-" for account-level events
    day: Mapped[date]
    event_type: Mapped[str] = mapped_column(String(100))
    count: Mapped[int] = mapped_column(default=0)

    __table_args__ = (UniqueConstraint("workspace", "day", "event_type"),)
