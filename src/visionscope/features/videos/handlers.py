"""Video handlers: registration, cancel, re-analysis, deletion, the worker's steps, and the queries.

The state changes themselves are the Video's methods; the handlers load, charge and answer."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import and_, func, or_, select, update

from visionscope.building_blocks.db import utcnow
from visionscope.building_blocks.errors import Conflict, NotFound
from visionscope.building_blocks.pagination import decode_cursor, encode_cursor
from visionscope.building_blocks.storage import Storage
from visionscope.building_blocks.uow import UnitOfWork
from visionscope.clock import Clock
from visionscope.config import Settings
from visionscope.features.billing.public import tier_limits
from visionscope.features.videos import credits
from visionscope.features.videos.commands import (
    CancelAnalysis,
    ClaimAnalysis,
    ConfirmCancelled,
    DeleteVideo,
    FailAnalysis,
    FinishAnalysis,
    ReanalyzeVideo,
    RegisterVideo,
    ReportProgress,
)
from visionscope.features.videos.credits import analysis_features
from visionscope.features.videos.models import Video, VideoStatus
from visionscope.features.videos.public import workspace_of_video
from visionscope.features.videos.queries import GetUploadPolicy, GetVideo, GetVideoFiles, ListVideos
from visionscope.features.videos.results import source_key, work_key
from visionscope.features.videos.schemas import UploadPolicy, VideoRead
from visionscope.features.workspaces.events import ProjectDeleted, WorkspaceDeleted
from visionscope.features.workspaces.public import workspace_of_project


def video_read(video: Video) -> VideoRead:
    resuming = video.resuming(utcnow())
    return VideoRead(
        id=video.id,
        project_id=video.project_id,
        workspace_id=video.workspace_id,
        name=video.original_name,
        size_bytes=video.size_bytes,
        sha256=video.sha256,
        status=video.status,
        stage=video.stage,
        progress=video.progress,
        eta_seconds=None if resuming else video.eta_seconds,  # unknown until a worker has it again
        error=video.error,
        resuming=resuming,
        duration=video.duration,
        width=video.width,
        height=video.height,
        fps=video.fps,
        has_audio=video.has_audio,
        has_subtitles=video.has_subtitles,
        container=video.container,
        features=dict(video.features or {}),
        attempt=video.attempt,
        created_at=video.created_at,
        finished_at=video.finished_at,
        processing_seconds=video.processing_seconds,
    )


async def _video(uow: UnitOfWork, video_id: uuid.UUID) -> Video:
    video = await uow.session.get(Video, video_id, with_for_update=True)
    if video is None or video.deleted_at is not None:
        raise NotFound(f"No video with id {video_id}.")
    return video


async def register_video(cmd: RegisterVideo, *, uow: UnitOfWork, clock: Clock) -> VideoRead:
    workspace_id = await workspace_of_project(uow.session, cmd.project_id)
    if workspace_id is None:
        raise NotFound(f"No project with id {cmd.project_id}.")
    if cmd.idempotency_key:
        earlier = await uow.session.scalar(
            select(Video).where(
                Video.workspace_id == workspace_id, Video.idempotency_key == cmd.idempotency_key
            )
        )
        if earlier is not None:
            return video_read(earlier)  # the same upload sent again: the first answer, charged once
    features = await analysis_features(uow, workspace_id)
    media = cmd.media
    now = clock()
    video = Video(
        id=cmd.video_id,
        workspace_id=workspace_id,
        project_id=cmd.project_id,
        uploaded_by=cmd.uploaded_by,
        original_name=cmd.original_name,
        size_bytes=cmd.size_bytes,
        sha256=cmd.sha256,
        has_subtitles=cmd.has_subtitles,
        status=VideoStatus.QUEUED,
        stage=None,
        progress=0.0,
        duration=float(media["duration"]),
        width=int(media["width"]),
        height=int(media["height"]),
        fps=float(media["fps"]),
        has_audio=bool(media["has_audio"]),
        container=str(media["container"]),
        video_codec=str(media["video_codec"]),
        audio_codec=media.get("audio_codec"),
        features=features,
        attempt=1,
        cancel_requested=False,
        created_at=now,
        updated_at=now,
        idempotency_key=cmd.idempotency_key,
    )
    uow.session.add(video)
    await uow.flush()
    await credits.reserve(uow, video, now=now)
    video.uploaded()
    return video_read(video)


async def cancel_analysis(cmd: CancelAnalysis, *, uow: UnitOfWork, clock: Clock) -> VideoRead:
    video = await _video(uow, cmd.video_id)
    now = clock()
    if video.request_cancel(now):
        await credits.release(uow, video, now=now)
    return video_read(video)


async def reanalyze_video(cmd: ReanalyzeVideo, *, uow: UnitOfWork, clock: Clock) -> VideoRead:
    video = await _video(uow, cmd.video_id)
    video.check_can_requeue()
    video.requeue(await analysis_features(uow, video.workspace_id), clock())
    await credits.reserve(uow, video, now=video.updated_at)
    return video_read(video)


async def delete_video(cmd: DeleteVideo, *, uow: UnitOfWork, clock: Clock) -> None:
    """Soft delete; a running analysis stops and the files are removed by a consumer of VideoDeleted."""
    video = await _video(uow, cmd.video_id)
    now = clock()
    if video.delete(now):
        await credits.release(uow, video, now=now)


async def claim_analysis(cmd: ClaimAnalysis, *, uow: UnitOfWork, clock: Clock) -> bool:
    """Take the lease when the attempt is queued, or processing under an expired or own lease."""
    now = clock()
    if await workspace_of_video(uow.session, cmd.video_id) is None:
        await _retire(uow, cmd.video_id, now)  # its project or workspace went while it waited
        return False
    claimed = await uow.session.execute(
        update(Video)
        .where(Video.id == cmd.video_id, Video.claimable(cmd.attempt, cmd.worker, now))
        .values(
            status=VideoStatus.PROCESSING,
            lease_owner=cmd.worker,
            lease_until=now + timedelta(seconds=cmd.lease_seconds),
            started_at=func.coalesce(Video.started_at, now),
            updated_at=now,
        )
    )
    return bool(getattr(claimed, "rowcount", 0))


async def report_progress(cmd: ReportProgress, *, uow: UnitOfWork, clock: Clock) -> bool:
    video = await _leased(uow, cmd.video_id, cmd.attempt, cmd.worker)
    if await workspace_of_video(uow.session, video.id) is None:
        video.cancel_requested = True  # its project or workspace was deleted: stop
    lease = timedelta(seconds=cmd.lease_seconds)
    return video.report_progress(cmd.stage, cmd.progress, cmd.eta_seconds, lease, clock())


async def _leased(uow: UnitOfWork, video_id: uuid.UUID, attempt: int, worker: str) -> Video:
    video = await uow.session.get(Video, video_id, with_for_update=True)
    if video is None or not video.leased_to(attempt, worker):
        raise Conflict("This worker no longer holds the video's analysis.")
    return video


async def finish_analysis(cmd: FinishAnalysis, *, uow: UnitOfWork, clock: Clock) -> None:
    video = await _leased(uow, cmd.video_id, cmd.attempt, cmd.worker)
    video.finish(cmd.features, cmd.processing_seconds, clock())
    await credits.capture(uow, video, now=clock())


async def _unsettled(uow: UnitOfWork, video_id: uuid.UUID, attempt: int) -> Video | None:
    """The video when this attempt of its analysis has not ended yet."""
    video = await uow.session.get(Video, video_id, with_for_update=True)
    if video is None or video.settled(attempt):
        return None
    return video


async def fail_analysis(cmd: FailAnalysis, *, uow: UnitOfWork, clock: Clock) -> None:
    video = await _unsettled(uow, cmd.video_id, cmd.attempt)
    if video is not None:
        now = clock()
        video.end(VideoStatus.FAILED, now, reason=cmd.reason)
        await credits.release(uow, video, now=now)


async def confirm_cancelled(cmd: ConfirmCancelled, *, uow: UnitOfWork, clock: Clock) -> None:
    video = await _unsettled(uow, cmd.video_id, cmd.attempt)
    if video is not None:
        now = clock()
        video.end(VideoStatus.CANCELLED, now)
        await credits.release(uow, video, now=now)


async def _retire(uow: UnitOfWork, video_id: uuid.UUID, now: datetime) -> None:
    """A video whose project or workspace is gone: its analysis ends and its credits go back."""
    video = await uow.session.get(Video, video_id, with_for_update=True)
    if video is not None and video.retire(now):
        await credits.release(uow, video, now=now)


async def retire_videos(
    uow: UnitOfWork, event: ProjectDeleted | WorkspaceDeleted, now: datetime
) -> list[uuid.UUID]:
    """Retire every video of a deleted project or workspace; answers their ids."""
    where = (
        (Video.project_id == event.project_id)
        if isinstance(event, ProjectDeleted)
        else (Video.workspace_id == event.workspace_id)
    )
    ids = list(await uow.session.scalars(select(Video.id).where(where)))
    for video_id in ids:
        await _retire(uow, video_id, now)
    return ids


async def get_upload_policy(query: GetUploadPolicy, *, uow: UnitOfWork, settings: Settings) -> UploadPolicy:
    workspace_id = await workspace_of_project(uow.session, query.project_id)
    if workspace_id is None:
        raise NotFound(f"No project with id {query.project_id}.")
    limits = await tier_limits(uow.session, workspace_id)
    max_mb = min(settings.max_upload_mb, limits.get("max_upload_mb", settings.max_upload_mb))
    minutes = limits.get("max_video_minutes")
    return UploadPolicy(
        workspace_id=workspace_id,
        max_upload_bytes=max_mb * 1024 * 1024,
        max_video_seconds=minutes * 60.0 if minutes else None,
    )


async def _load(uow: UnitOfWork, video_id: uuid.UUID) -> Video:
    video = await uow.session.get(Video, video_id)
    if video is None or video.deleted_at is not None:
        raise NotFound(f"No video with id {video_id}.")
    return video


async def get_video(query: GetVideo, *, uow: UnitOfWork) -> VideoRead:
    return video_read(await _load(uow, query.video_id))


async def list_videos(query: ListVideos, *, uow: UnitOfWork) -> tuple[list[VideoRead], str | None]:
    statement = (
        select(Video)
        .where(Video.project_id == query.project_id, Video.deleted_at.is_(None))
        .order_by(Video.created_at, Video.id)
        .limit(query.limit + 1)
    )
    if query.cursor:
        created, last_id = decode_cursor(query.cursor)
        statement = statement.where(
            or_(Video.created_at > created, and_(Video.created_at == created, Video.id > last_id))
        )
    rows = list((await uow.session.scalars(statement)).all())
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    return [video_read(v) for v in rows], (encode_cursor(rows[-1].created_at, rows[-1].id) if more else None)


async def get_video_files(
    query: GetVideoFiles, *, uow: UnitOfWork, storage: Storage
) -> tuple[VideoRead, Path, Path]:
    video = await _load(uow, query.video_id)
    if query.ready_only:
        video.require_ready()
    return video_read(video), storage.path(source_key(video.id)), storage.path(work_key(video.id))
