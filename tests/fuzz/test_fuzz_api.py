"""The API fuzzed from its OpenAPI document, a little on every run (scripts/fuzz-api.sh runs it long):
no 5xx, no response outside its declared schema, and operations reached on real resources."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fuzz.runner import KEEP_ALIVE, fuzz
from tests.fuzz.world import World, populate, serving

EXAMPLES = 2  # per operation and identity; the script takes more


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, models_dir: Path) -> Iterator[World]:
    with serving(tmp_path_factory.mktemp("fuzz-data"), models_dir) as url:
        yield populate(url)


def test_fuzzing_every_operation_finds_no_server_error_and_no_schema_break(world: World) -> None:
    tally = fuzz(world, EXAMPLES)
    assert tally.failures == [], "\n".join(tally.failures[:20])
    assert tally.cases >= 2 * 60 * EXAMPLES * 0.9, tally.summary()
    # Every operation on an id, except those kept away from the real ones, was reached on real ids.
    assert len(tally.reached_operations) >= 40, tally.summary()
    assert not {op for op in tally.reached_operations if tuple(op.split(" ", 1)) in KEEP_ALIVE}
    assert (
        tally.statuses[200] + tally.statuses[201] + tally.statuses[202] + tally.statuses[204]
        > tally.cases // 4
    )
