"""Project search: read the project's analysed videos, search them outside any transaction, charge."""

from __future__ import annotations

import asyncio
import uuid

from visionscope.building_blocks.mediator import Context, Mediator
from visionscope.building_blocks.messages import acting_user
from visionscope.features.conversations.answers.engine import AnswerEngine
from visionscope.features.conversations.commands import SEARCH, ChargeSearch
from visionscope.features.conversations.completion_credits import request_digest
from visionscope.features.conversations.queries import GetProjectSubjects
from visionscope.features.conversations.schemas import SearchHitRead


async def search_project(
    mediator: Mediator, ctx: Context, engine: AnswerEngine, project_id: uuid.UUID, query: str, limit: int
) -> list[SearchHitRead]:
    """Moments across the project's analysed videos, best first; one `search` credit when there are
    videos to search (an empty project costs nothing)."""
    scope = await mediator.send(GetProjectSubjects(project_id=project_id, feature=SEARCH), ctx)
    if not scope.subjects:
        return []
    hits = await asyncio.to_thread(engine.search, query, scope.subjects, limit)
    await mediator.send(
        ChargeSearch(
            project_id=project_id,
            user_id=acting_user(ctx.actor),
            results=len(hits),
            idempotency_key=ctx.idempotency_key,
            digest=request_digest(query, limit),
        ),
        ctx,
    )
    return [
        SearchHitRead(
            video_id=h.video_id, start=h.start, end=h.end, score=h.score, source=h.source, snippet=h.snippet
        )
        for h in hits
    ]
