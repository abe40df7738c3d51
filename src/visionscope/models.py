"""Imports every feature's tables so that the metadata is complete (migrations, tests)."""

from __future__ import annotations


def load_all_models() -> None:
    from visionscope.building_blocks import outbox  # noqa: F401
    from visionscope.features.analytics import models as analytics  # noqa: F401
    from visionscope.features.billing import models as billing  # noqa: F401
    from visionscope.features.conversations import models as conversations  # noqa: F401
    from visionscope.features.identity import models as identity  # noqa: F401
    from visionscope.features.notifications import models as notifications  # noqa: F401
    from visionscope.features.videos import models as videos  # noqa: F401
    from visionscope.features.workspaces import models as workspaces  # noqa: F401
