"""Billing fixtures: a container whose clock the test moves, on the packaged catalog."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests import billing_support
from tests.billing_support import ManualClock
from visionscope.bootstrap import Container, build_container
from visionscope.config import Settings

packaged_catalog = billing_support.packaged_catalog  # the fixture, for every test in this directory


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def billing(settings: Settings, clock: ManualClock, packaged_catalog: None) -> AsyncIterator[Container]:
    built = build_container(settings, clock=clock)
    yield built
    await built.dispose()
