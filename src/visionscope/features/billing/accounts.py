"""The billing side of a workspace: its tier and period, read and moved through the workspaces'
public functions, and the calendar arithmetic of periods."""

from __future__ import annotations

import calendar
from datetime import datetime

from visionscope.features.workspaces.public import (
    Account,
    account,
    accounts_due,
    live_accounts_on_tier,
    move_to_tier,
    project_names,
    start_period,
    tiers_of,
    workspaces_on_tier,
)

__all__ = [
    "Account",
    "account",
    "accounts_due",
    "add_month",
    "live_accounts_on_tier",
    "move_to_tier",
    "project_names",
    "start_period",
    "tiers_of",
    "workspaces_on_tier",
]


def add_month(moment: datetime) -> datetime:
    """The same day and time a month later (the last day of a shorter month)."""
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)
