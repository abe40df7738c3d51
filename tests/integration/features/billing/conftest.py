"""Billing fixtures: a container whose clock the test moves, on the packaged catalog."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.billing_support import ManualClock, packaged_catalog
from visionscope.bootstrap import Container, build_container
from visionscope.config import Settings

__all__ = ["packaged_catalog"]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def billing(settings: Settings, clock: ManualClock, packaged_catalog: None) -> AsyncIterator[Container]:
    built = build_container(settings, clock=clock)
    yield built
    await built.dispose()
