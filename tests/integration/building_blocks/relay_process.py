"""A relay in a process of its own, which can kill itself at a chosen point (used by the outbox tests).

    python relay_process.py normal|crash-before-publish|crash-after-publish[:N]
Settings come from VISIONSCOPE_* variables, as for the real relay. ``crash-after-publish:N``
dies right after publishing its Nth batch, before marking it sent.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Sequence

from visionscope.bootstrap import build_container
from visionscope.building_blocks.relay import Delivery
from visionscope.building_blocks.transport import CeleryPublisher
from visionscope.config import Settings
from visionscope.worker import create_celery


class KillingPublisher:
    def __init__(self, inner: CeleryPublisher, mode: str) -> None:
        self.inner = inner
        self.mode, _, nth = mode.partition(":")
        self.die_after = int(nth or 1)
        self.published = 0

    async def publish(self, deliveries: Sequence[Delivery]) -> None:
        if self.mode == "crash-before-publish":
            os.kill(os.getpid(), signal.SIGKILL)
        await self.inner.publish(deliveries)
        self.published += 1
        if self.mode == "crash-after-publish" and self.published >= self.die_after:
            os.kill(os.getpid(), signal.SIGKILL)


async def main(mode: str) -> int:
    settings = Settings()
    container = build_container(settings)
    try:
        publisher = CeleryPublisher(create_celery(settings), container.subscriptions)
        relay = container.relay(KillingPublisher(publisher, mode))
        return await relay.drain()
    finally:
        await container.dispose()


if __name__ == "__main__":
    moved = asyncio.run(main(sys.argv[1]))
    print(f"relayed {moved}")
