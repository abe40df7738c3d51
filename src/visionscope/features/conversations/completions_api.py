"""The OpenAI-compatible route: POST /v1/chat/completions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import StreamingResponse

from visionscope.building_blocks.mediator import Context
from visionscope.building_blocks.messages import Actor
from visionscope.building_blocks.web import (
    MediatorDep,
    api_key_scheme,
    get_actor,
    given_key,
    oauth2_scheme,
    request_id_of,
)
from visionscope.features.conversations.api import STREAM_HEADERS, EngineDep
from visionscope.features.conversations.completions import ChatRequest, Completion

router = APIRouter(prefix="/v1", tags=["openai"])


async def completion_context(
    request: Request,
    bearer: Annotated[str | None, Depends(oauth2_scheme)],
    api_key: Annotated[str | None, Depends(api_key_scheme)],
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> Context:
    """The caller; OpenAI clients send an API key as a bearer token, which is accepted here too."""
    if bearer and not api_key and bearer.count(".") != 2:
        actor: Actor | None = await get_actor(request, None, bearer)
    else:
        actor = await get_actor(request, bearer, api_key)
    request_id = getattr(request.state, "request_id", None) or request_id_of(request)
    return Context(actor=actor, request_id=request_id, idempotency_key=given_key(idempotency_key))


CompletionContext = Annotated[Context, Depends(completion_context)]


@router.post("/chat/completions", response_model=None)
async def chat_completions(
    body: ChatRequest, mediator: MediatorDep, ctx: CompletionContext, engine: EngineDep
) -> dict[str, Any] | StreamingResponse:
    """Chat with a video (`model: "video:<id>"`) or a project (`"project:<id>"`); the answer's
    citations are "[mm:ss]" marks in its text and objects in `citations`."""
    completion = Completion(mediator, ctx, engine, body)
    if body.stream:
        return StreamingResponse(
            await completion.streamed(), media_type="text/event-stream", headers=STREAM_HEADERS
        )
    return await completion.whole()
