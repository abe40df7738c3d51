"""Tests of the monitoring files: those marked ``promtool`` are left out when promtool is not installed."""

from __future__ import annotations

import shutil

import pytest

PROMTOOL = shutil.which("promtool")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect ``promtool`` tests without promtool (Debian: apt-get install prometheus)."""
    if PROMTOOL is not None:
        return
    keep = [item for item in items if item.get_closest_marker("promtool") is None]
    dropped = [item for item in items if item.get_closest_marker("promtool") is not None]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep
