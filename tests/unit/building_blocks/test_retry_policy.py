from __future__ import annotations

from visionscope.building_blocks.transport import RetryPolicy


def test_failure_delays_grow_exponentially_within_jitter_and_are_capped() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=10.0)
    delays = [policy.failure_delay(n) for n in range(1, 7)]
    for n, delay in enumerate(delays[:4], start=1):
        assert 0.8 * 2 ** (n - 1) <= delay <= 1.2 * 2 ** (n - 1)
    assert all(d <= 12.0 for d in delays)
