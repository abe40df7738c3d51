"""Analytics read models."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel


class CreditHourRead(BaseModel):
    hour: datetime
    feature: str
    credits: int
    value_cents: float


class VideoDayRead(BaseModel):
    day: date
    outcome: str
    videos: int
    video_seconds: float


class StageTimeRead(BaseModel):
    stage: str  # a stage of the analysis, or "all" for whole analyses
    analyses: int
    total_seconds: float
    average_seconds: float


class WorkspaceFiguresRead(BaseModel):
    workspace_id: uuid.UUID
    start: datetime
    end: datetime
    credits: int
    value_cents: float
    credits_by_hour: list[CreditHourRead]
    videos: list[VideoDayRead]
    processing: list[StageTimeRead]
