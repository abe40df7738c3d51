"""Analytics tables: small folds of business events, read by the admin API and the /metrics scrape."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Double, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from visionscope.building_blocks.db import Base
from visionscope.building_blocks.outbox import BIGINT_PK

NO_WORKSPACE = "-"
WHOLE_ANALYSIS = "-"  # the stage name under which a whole analysis's seconds are kept


class ActivityCount(Base):
    __tablename__ = "activity_counts"

    id: Mapped[int] = mapped_column(BIGINT_PK, primary_key=True, autoincrement=True)
    workspace: Mapped[str] = mapped_column(String(36))  # a workspace id, or "-" for account-level events
    day: Mapped[date]
    event_type: Mapped[str] = mapped_column(String(100))
    count: Mapped[int] = mapped_column(default=0)

    __table_args__ = (UniqueConstraint("workspace", "day", "event_type"),)


class CreditConsumption(Base):
    """Credits captured per workspace, hour (UTC) and feature, with their value when captured."""

    __tablename__ = "credit_consumption"

    id: Mapped[int] = mapped_column(BIGINT_PK, primary_key=True, autoincrement=True)
    workspace: Mapped[str] = mapped_column(String(36))
    hour: Mapped[datetime]
    feature: Mapped[str] = mapped_column(String(60))
    credits: Mapped[int] = mapped_column(BigInteger, default=0)
    value_cents: Mapped[float] = mapped_column(Double, default=0.0)

    __table_args__ = (UniqueConstraint("workspace", "hour", "feature"),)


class VideosProcessed(Base):
    """Analyses that ended per workspace, day and outcome (analysed or failed)."""

    __tablename__ = "videos_processed"

    id: Mapped[int] = mapped_column(BIGINT_PK, primary_key=True, autoincrement=True)
    workspace: Mapped[str] = mapped_column(String(36))
    day: Mapped[date]
    outcome: Mapped[str] = mapped_column(String(20))
    videos: Mapped[int] = mapped_column(default=0)
    video_seconds: Mapped[float] = mapped_column(Double, default=0.0)  # length of the videos analysed

    __table_args__ = (UniqueConstraint("workspace", "day", "outcome"),)


class AnalysisSeconds(Base):
    """Processing time of analyses as a histogram per workspace and stage: one row per bucket.

    ``le`` is the bucket's upper bound as Prometheus writes it ("30.0", "+Inf"); ``count`` and
    ``seconds`` are the analyses that fell in this bucket (not cumulative) and their total time.
    """

    __tablename__ = "analysis_seconds"

    id: Mapped[int] = mapped_column(BIGINT_PK, primary_key=True, autoincrement=True)
    workspace: Mapped[str] = mapped_column(String(36))
    stage: Mapped[str] = mapped_column(String(40))
    le: Mapped[str] = mapped_column(String(20))
    count: Mapped[int] = mapped_column(default=0)
    seconds: Mapped[float] = mapped_column(Double, default=0.0)

    __table_args__ = (UniqueConstraint("workspace", "stage", "le"),)
