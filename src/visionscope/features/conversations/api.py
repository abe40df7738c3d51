"""Conversation routes: start, read and list conversations, ask (or stream) a question, search a project."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.responses import StreamingResponse

from visionscope.building_blocks.messages import acting_user
from visionscope.building_blocks.web import ContextDep, MediatorDep, PageDep, page_of
from visionscope.features.conversations.answers.engine import AnswerEngine
from visionscope.features.conversations.asking import ask, ask_streaming
from visionscope.features.conversations.commands import StartProjectConversation, StartVideoConversation
from visionscope.features.conversations.queries import (
    GetConversation,
    ListProjectConversations,
    ListVideoConversations,
)
from visionscope.features.conversations.schemas import (
    ConversationCreate,
    ConversationRead,
    MessageCreate,
    MessageRead,
    SearchRequest,
)
from visionscope.features.conversations.searching import search_project
from visionscope.features.conversations.wiring import answer_engine

router = APIRouter(prefix="/v1", tags=["conversations"])
STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def get_engine(request: Request) -> AnswerEngine:
    """The app's answer engine, built on first use from the app's settings."""
    state = request.app.state
    engine: AnswerEngine | None = getattr(state, "answer_engine", None)
    if engine is None:
        engine = state.answer_engine = answer_engine(state.container.settings)
    return engine


EngineDep = Annotated[AnswerEngine, Depends(get_engine)]


@router.post("/conversations", status_code=status.HTTP_201_CREATED)
async def start_conversation(
    body: ConversationCreate, mediator: MediatorDep, ctx: ContextDep
) -> ConversationRead:
    """A conversation about one analysed video (`video_id`) or all of a project's (`project_id`)."""
    user = acting_user(ctx.actor)
    if body.video_id is not None:
        return await mediator.send(StartVideoConversation(video_id=body.video_id, started_by=user), ctx)
    assert body.project_id is not None
    return await mediator.send(StartProjectConversation(project_id=body.project_id, started_by=user), ctx)


@router.get("/conversations/{conversation_id}")
async def get_conversation(
    conversation_id: uuid.UUID, mediator: MediatorDep, ctx: ContextDep
) -> ConversationRead:
    return await mediator.send(GetConversation(conversation_id=conversation_id), ctx)


@router.post(
    "/conversations/{conversation_id}/messages",
    status_code=status.HTTP_201_CREATED,
    response_model=MessageRead,
    responses={201: {"content": {"text/event-stream": {}}}},
)
async def ask_question(
    conversation_id: uuid.UUID,
    body: MessageCreate,
    mediator: MediatorDep,
    ctx: ContextDep,
    engine: EngineDep,
    stream: Annotated[bool, Query()] = False,
) -> MessageRead | StreamingResponse:
    """Ask a question; the answer cites the moments that support it (`grounded` false when none do).
    `?stream=true` answers with server-sent events: `delta` pieces, then the `message`."""
    if stream:
        events = await ask_streaming(mediator, ctx, engine, conversation_id, body.content)
        return StreamingResponse(events, media_type="text/event-stream", headers=STREAM_HEADERS)
    return await ask(mediator, ctx, engine, conversation_id, body.content)


@router.get("/projects/{project_id}/conversations")
async def list_project_conversations(
    project_id: uuid.UUID, page: PageDep, mediator: MediatorDep, ctx: ContextDep
) -> dict[str, Any]:
    items, next_cursor = await mediator.send(
        ListProjectConversations(project_id=project_id, limit=page.limit, cursor=page.cursor), ctx
    )
    return page_of(items, next_cursor)


@router.get("/videos/{video_id}/conversations")
async def list_video_conversations(
    video_id: uuid.UUID, page: PageDep, mediator: MediatorDep, ctx: ContextDep
) -> dict[str, Any]:
    items, next_cursor = await mediator.send(
        ListVideoConversations(video_id=video_id, limit=page.limit, cursor=page.cursor), ctx
    )
    return page_of(items, next_cursor)


@router.post("/projects/{project_id}/search")
async def search(
    project_id: uuid.UUID, body: SearchRequest, mediator: MediatorDep, ctx: ContextDep, engine: EngineDep
) -> dict[str, Any]:
    """Moments across the project's analysed videos: `{video_id, start, end, score, source, snippet}`."""
    hits = await search_project(mediator, ctx, engine, project_id, body.query, body.limit)
    return {"items": hits}
