"""Analytics consumers: fold every business event into daily counts."""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from visionscope.building_blocks.db import dialect_name
from visionscope.building_blocks.messages import Event
from visionscope.building_blocks.uow import UnitOfWork
from visionscope.features.analytics.models import NO_WORKSPACE, ActivityCount


async def count_activity(event: Event, uow: UnitOfWork) -> None:
    """Add one to the count of this event's type for its workspace and day."""
    insert = pg_insert if dialect_name(uow.session) == "postgresql" else sqlite_insert
    workspace = str(event.workspace) if event.workspace else NO_WORKSPACE
    statement = insert(ActivityCount).values(
        workspace=workspace, day=event.occurred_at.date(), event_type=type(event).__name__, count=1
    )
    statement = statement.on_conflict_do_update(
        index_elements=["workspace", "day", "event_type"], set_={"count": ActivityCount.count + 1}
    )
    await uow.session.execute(statement)
