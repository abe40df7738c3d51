"""Video routes: upload, status and progress, cancel and re-analysis, results, media."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import FileResponse, PlainTextResponse, StreamingResponse

from visionscope.analysis import (
    MediaRejected,
    Segment,
    parse_subtitle_file,
    probe_media,
    render_srt,
    render_vtt,
)
from visionscope.building_blocks.errors import (
    InvalidInput,
    NotFound,
    TooLarge,
    UnsupportedMedia,
)
from visionscope.building_blocks.messages import acting_user
from visionscope.building_blocks.storage import Storage
from visionscope.building_blocks.uploads import receive_files
from visionscope.building_blocks.web import ContextDep, MediatorDep, PageDep, page_of
from visionscope.features.videos import results
from visionscope.features.videos.commands import CancelAnalysis, DeleteVideo, ReanalyzeVideo, RegisterVideo
from visionscope.features.videos.media import display_name, media_type
from visionscope.features.videos.models import VideoStatus
from visionscope.features.videos.queries import (
    GetUploadPolicy,
    GetVideo,
    GetVideoFiles,
    GetVideoResults,
    ListVideos,
)
from visionscope.features.videos.schemas import (
    ChapterRead,
    SceneRead,
    SummaryRead,
    TextSpanRead,
    VideoRead,
)

router = APIRouter(prefix="/v1", tags=["videos"])
SUBTITLES_CAP = 5 * 1024 * 1024
TERMINAL = tuple(s.value for s in VideoStatus if not s.active)  # the SSE stream ends on these
UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary", "description": "the video"},
                        "subtitles": {
                            "type": "string",
                            "format": "binary",
                            "description": "optional .srt or .vtt",
                        },
                    },
                }
            }
        },
    }
}


def _storage(request: Request) -> Storage:
    storage: Storage = request.app.state.container.storage
    return storage


@router.post("/projects/{project_id}/videos", status_code=status.HTTP_202_ACCEPTED, openapi_extra=UPLOAD_BODY)
async def upload_video(
    project_id: uuid.UUID, request: Request, mediator: MediatorDep, ctx: ContextDep
) -> VideoRead:
    """Stream a video into the project and queue its analysis. The file is identified by probing it."""
    policy = await mediator.send(GetUploadPolicy(project_id=project_id), ctx)
    storage = _storage(request)
    video_id = uuid.uuid4()
    folder = storage.path(results.video_key(video_id))
    try:
        files = await receive_files(
            request.headers.get("content-type", ""),
            request.stream(),
            folder,
            {"file": policy.max_upload_bytes, "subtitles": SUBTITLES_CAP},
        )
        upload = files.get("file")
        if upload is None:
            raise InvalidInput(
                "Send the video in the multipart field 'file'.",
                errors=[{"field": "file", "message": "missing"}],
            )
        if upload.size == 0:
            raise UnsupportedMedia("The file is empty.")
        source = storage.path(results.source_key(video_id))
        upload.path.rename(source)
        try:
            info = await asyncio.to_thread(probe_media, source)
        except MediaRejected as err:
            raise UnsupportedMedia(err.reason) from None
        if policy.max_video_seconds is not None and info.duration > policy.max_video_seconds:
            minutes = policy.max_video_seconds / 60
            raise TooLarge(
                f"The video lasts {info.duration / 60:.1f} minutes; this tier allows {minutes:g}.",
                limit="max_video_minutes",
                allowed=minutes,
            )
        subtitles = files.get("subtitles")
        if subtitles is not None:
            await _keep_subtitles(storage, video_id, subtitles.path, subtitles.filename)
        video = await mediator.send(
            RegisterVideo(
                video_id=video_id,
                project_id=project_id,
                uploaded_by=acting_user(ctx.actor),
                original_name=display_name(upload.filename),
                size_bytes=upload.size,
                sha256=upload.sha256,
                media=info.to_dict(),
                has_subtitles=subtitles is not None,
                idempotency_key=ctx.idempotency_key,
            ),
            ctx,
        )
        if video.id != video_id:  # a repeated upload: the first one stands, this copy goes
            await asyncio.to_thread(storage.delete_tree, results.video_key(video_id))
        return video
    except BaseException:
        await asyncio.to_thread(storage.delete_tree, results.video_key(video_id))
        raise


async def _keep_subtitles(storage: Storage, video_id: uuid.UUID, path: Any, filename: str) -> None:
    suffix = ".vtt" if filename.lower().endswith(".vtt") else ".srt"
    named = path.with_suffix(suffix)
    path.rename(named)
    try:
        cues = await asyncio.to_thread(parse_subtitle_file, named)
    except (ValueError, UnicodeDecodeError):
        cues = []
    if not cues:
        raise InvalidInput(
            "The subtitles file is not SubRip (.srt) or WebVTT (.vtt) with at least one cue.",
            errors=[{"field": "subtitles", "message": "no cues found"}],
        )
    named.rename(storage.path(results.subtitles_key(video_id)).with_suffix(suffix))


@router.get("/projects/{project_id}/videos")
async def list_videos(
    project_id: uuid.UUID, page: PageDep, mediator: MediatorDep, ctx: ContextDep
) -> dict[str, Any]:
    items, next_cursor = await mediator.send(
        ListVideos(project_id=project_id, limit=page.limit, cursor=page.cursor), ctx
    )
    return page_of(items, next_cursor)


@router.get("/videos/{video_id}")
async def get_video(video_id: uuid.UUID, mediator: MediatorDep, ctx: ContextDep) -> VideoRead:
    return await mediator.send(GetVideo(video_id=video_id), ctx)


@router.delete("/videos/{video_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_video(video_id: uuid.UUID, mediator: MediatorDep, ctx: ContextDep) -> Response:
    await mediator.send(DeleteVideo(video_id=video_id), ctx)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/videos/{video_id}/cancel")
async def cancel_analysis(video_id: uuid.UUID, mediator: MediatorDep, ctx: ContextDep) -> VideoRead:
    return await mediator.send(CancelAnalysis(video_id=video_id), ctx)


@router.post("/videos/{video_id}/reanalyze", status_code=status.HTTP_202_ACCEPTED)
async def reanalyze_video(video_id: uuid.UUID, mediator: MediatorDep, ctx: ContextDep) -> VideoRead:
    return await mediator.send(ReanalyzeVideo(video_id=video_id), ctx)


@router.get("/videos/{video_id}/events")
async def video_events(
    video_id: uuid.UUID, request: Request, mediator: MediatorDep, ctx: ContextDep
) -> StreamingResponse:
    """Server-sent events: `progress` while the analysis runs, then `ready`, `failed` or `cancelled`."""
    first = await mediator.send(GetVideo(video_id=video_id), ctx)

    async def stream() -> AsyncIterator[str]:
        video, last, quiet = first, None, 0.0
        while True:
            state = (video.status, video.stage, round(video.progress, 3), video.resuming)
            if state != last:
                last = state
                kind = video.status if video.status in TERMINAL else "progress"
                payload = {
                    "status": video.status,
                    "stage": video.stage,
                    "progress": video.progress,
                    "eta_seconds": video.eta_seconds,
                    "error": video.error,
                    "resuming": video.resuming,
                }
                yield f"event: {kind}\ndata: {json.dumps(payload)}\n\n"
                quiet = 0.0
            if video.status in TERMINAL or await request.is_disconnected():
                return
            await asyncio.sleep(0.5)
            quiet += 0.5
            if quiet >= 15:
                yield ": still working\n\n"
                quiet = 0.0
            try:
                video = await mediator.send(GetVideo(video_id=video_id), ctx)
            except NotFound:
                yield 'event: failed\ndata: {"status": "deleted"}\n\n'
                return

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get("/videos/{video_id}/media", response_class=FileResponse)
async def video_media(video_id: uuid.UUID, mediator: MediatorDep, ctx: ContextDep) -> FileResponse:
    """The video file itself, with HTTP Range support for players."""
    video, source, _ = await mediator.send(GetVideoFiles(video_id=video_id, ready_only=False), ctx)
    return FileResponse(
        source, media_type=media_type(video.container), headers={"Cache-Control": "private, max-age=3600"}
    )


async def _work(video_id: uuid.UUID, mediator: MediatorDep, ctx: ContextDep, *, picture: bool = False) -> Any:
    """The analysis directory; a player's pictures are spared the rate limits, results are not."""
    query = GetVideoFiles if picture else GetVideoResults
    _, _, work = await mediator.send(query(video_id=video_id), ctx)
    return work


@router.get("/videos/{video_id}/scenes")
async def video_scenes(
    video_id: uuid.UUID, mediator: MediatorDep, ctx: ContextDep
) -> dict[str, list[SceneRead]]:
    video = await mediator.send(GetVideo(video_id=video_id), ctx)
    work = await _work(video_id, mediator, ctx)
    url = f"/v1/videos/{video_id}/thumbnails/{{n}}.jpg?v={video.attempt}"
    return {"items": await asyncio.to_thread(results.scenes, work, url)}


@router.get("/videos/{video_id}/transcript", response_model=None)
async def video_transcript(
    video_id: uuid.UUID,
    mediator: MediatorDep,
    ctx: ContextDep,
    format: Annotated[Literal["json", "vtt", "srt"], Query()] = "json",
) -> dict[str, Any] | PlainTextResponse:
    work = await _work(video_id, mediator, ctx)
    segments = await asyncio.to_thread(results.segments, work)
    if format == "json":
        return {"items": segments}
    cues = [Segment(start=s.start, end=s.end, text=s.text) for s in segments]
    if format == "vtt":
        return PlainTextResponse(render_vtt(cues), media_type="text/vtt")
    return PlainTextResponse(render_srt(cues), media_type="application/x-subrip")


@router.get("/videos/{video_id}/text")
async def video_text(
    video_id: uuid.UUID, mediator: MediatorDep, ctx: ContextDep
) -> dict[str, list[TextSpanRead]]:
    work = await _work(video_id, mediator, ctx)
    return {"items": await asyncio.to_thread(results.on_screen_text, work)}


@router.get("/videos/{video_id}/chapters")
async def video_chapters(
    video_id: uuid.UUID, mediator: MediatorDep, ctx: ContextDep
) -> dict[str, list[ChapterRead]]:
    work = await _work(video_id, mediator, ctx)
    return {"items": await asyncio.to_thread(results.chapters, work)}


@router.get("/videos/{video_id}/summary")
async def video_summary(video_id: uuid.UUID, mediator: MediatorDep, ctx: ContextDep) -> SummaryRead:
    work = await _work(video_id, mediator, ctx)
    return await asyncio.to_thread(results.summary, work)


@router.get("/videos/{video_id}/thumbnails/{number}.jpg", response_class=FileResponse)
async def video_thumbnail(
    video_id: uuid.UUID,
    number: int,
    mediator: MediatorDep,
    ctx: ContextDep,
    size: Annotated[Literal["small", "full"], Query()] = "small",
) -> FileResponse:
    """A scene's picture; the URL changes with each analysis, so it may be cached for long."""
    work = await _work(video_id, mediator, ctx, picture=True)
    path = await asyncio.to_thread(results.thumbnail_path, work, number, full=size == "full")
    if not path.is_file():
        raise NotFound(f"This video has no picture for scene {number}.")
    return FileResponse(
        path, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=31536000, immutable"}
    )
