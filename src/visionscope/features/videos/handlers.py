"""Video command handlers: registration, cancel, re-analysis, deletion, and the worker's steps."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update

from visionscope.building_blocks.errors import Conflict, NotFound
from visionscope.building_blocks.uow import UnitOfWork
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
from visionscope.features.videos.events import (
    VideoAnalysed,
    VideoAnalysisCancelled,
    VideoAnalysisFailed,
    VideoDeleted,
    VideoReanalysisRequested,
    VideoUploaded,
)
from visionscope.features.videos.models import Video
from visionscope.features.videos.public import workspace_of_video
from visionscope.features.videos.queries import video_read
from visionscope.features.videos.schemas import VideoRead
from visionscope.features.workspaces.events import ProjectDeleted, WorkspaceDeleted
from visionscope.features.workspaces.public import workspace_of_project

Clock = Callable[[], datetime]


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
        status="queued",
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
    video.record(
        VideoUploaded(
            workspace_id=workspace_id,
            project_id=cmd.project_id,
            video_id=video.id,
            attempt=1,
            duration=video.duration,
        )
    )
    return video_read(video)


async def cancel_analysis(cmd: CancelAnalysis, *, uow: UnitOfWork, clock: Clock) -> VideoRead:
    video = await _video(uow, cmd.video_id)
    if video.status == "queued":
        await _stop(uow, video, "cancelled", clock())
    elif video.status == "processing":
        video.cancel_requested = True  # the worker stops at its next progress report
    else:
        raise Conflict(
            f"The video's analysis is {video.status}; there is nothing to cancel.", video_status=video.status
        )
    return video_read(video)


async def reanalyze_video(cmd: ReanalyzeVideo, *, uow: UnitOfWork, clock: Clock) -> VideoRead:
    video = await _video(uow, cmd.video_id)
    if video.status in ("queued", "processing"):
        raise Conflict(f"The video is already {video.status}.", video_status=video.status)
    video.features = await analysis_features(uow, video.workspace_id)
    video.attempt += 1
    video.status, video.stage, video.progress, video.eta_seconds, video.error = (
        "queued",
        None,
        0.0,
        None,
        None,
    )
    video.cancel_requested, video.lease_owner, video.lease_until = False, None, None
    video.started_at = video.finished_at = None
    video.processing_seconds = None
    video.updated_at = clock()
    await credits.reserve(uow, video, now=video.updated_at)
    video.record(
        VideoReanalysisRequested(
            workspace_id=video.workspace_id,
            project_id=video.project_id,
            video_id=video.id,
            attempt=video.attempt,
        )
    )
    return video_read(video)


async def delete_video(cmd: DeleteVideo, *, uow: UnitOfWork, clock: Clock) -> None:
    """Soft delete; a running analysis stops and the files are removed by a consumer of VideoDeleted."""
    video = await _video(uow, cmd.video_id)
    video.deleted_at = clock()
    video.cancel_requested = True
    if video.status in ("queued", "processing"):
        await _stop(uow, video, "cancelled", video.deleted_at)
    video.record(
        VideoDeleted(workspace_id=video.workspace_id, project_id=video.project_id, video_id=video.id)
    )


def _end(video: Video, status: str, now: datetime) -> None:
    video.status, video.eta_seconds, video.finished_at = status, None, now
    video.lease_owner, video.lease_until = None, None
    if video.started_at is not None:
        video.processing_seconds = (now - video.started_at).total_seconds()


async def claim_analysis(cmd: ClaimAnalysis, *, uow: UnitOfWork, clock: Clock) -> bool:
    """Take the lease when the attempt is queued, or processing under an expired or own lease."""
    now = clock()
    if await workspace_of_video(uow.session, cmd.video_id) is None:
        await _retire(uow, cmd.video_id, now)  # its project or workspace went while it waited
        return False
    claimed = await uow.session.execute(
        update(Video)
        .where(
            Video.id == cmd.video_id,
            Video.attempt == cmd.attempt,
            Video.deleted_at.is_(None),
            or_(
                Video.status == "queued",
                (Video.status == "processing")
                & or_(Video.lease_until.is_(None), Video.lease_until < now, Video.lease_owner == cmd.worker),
            ),
        )
        .values(
            status="processing",
            lease_owner=cmd.worker,
            lease_until=now + timedelta(seconds=cmd.lease_seconds),
            started_at=func.coalesce(Video.started_at, now),
            updated_at=now,
        )
    )
    return bool(getattr(claimed, "rowcount", 0))


async def report_progress(cmd: ReportProgress, *, uow: UnitOfWork, clock: Clock) -> bool:
    video = await _leased(uow, cmd.video_id, cmd.attempt, cmd.worker)
    now = clock()
    if await workspace_of_video(uow.session, video.id) is None:
        video.cancel_requested = True  # its project or workspace was deleted: stop
    video.stage, video.progress, video.eta_seconds = (
        cmd.stage,
        min(1.0, max(0.0, cmd.progress)),
        cmd.eta_seconds,
    )
    video.lease_until, video.updated_at = now + timedelta(seconds=cmd.lease_seconds), now
    return video.cancel_requested


async def _leased(uow: UnitOfWork, video_id: uuid.UUID, attempt: int, worker: str) -> Video:
    video = await uow.session.get(Video, video_id, with_for_update=True)
    if (
        video is None
        or video.attempt != attempt
        or video.lease_owner != worker
        or video.status != "processing"
    ):
        raise Conflict("This worker no longer holds the video's analysis.")
    return video


async def finish_analysis(cmd: FinishAnalysis, *, uow: UnitOfWork, clock: Clock) -> None:
    video = await _leased(uow, cmd.video_id, cmd.attempt, cmd.worker)
    _end(video, "ready", clock())
    video.stage, video.progress, video.features = "done", 1.0, cmd.features
    await credits.capture(uow, video, now=clock())
    video.processing_seconds = cmd.processing_seconds
    video.record(
        VideoAnalysed(
            workspace_id=video.workspace_id,
            project_id=video.project_id,
            video_id=video.id,
            attempt=video.attempt,
            duration=video.duration,
            processing_seconds=cmd.processing_seconds,
            features=cmd.features,
        )
    )


async def _unsettled(uow: UnitOfWork, video_id: uuid.UUID, attempt: int) -> Video | None:
    """The video when this attempt of its analysis has not ended yet."""
    video = await uow.session.get(Video, video_id, with_for_update=True)
    if video is None or video.attempt != attempt or video.status in ("ready", "failed", "cancelled"):
        return None
    return video


async def _stop(
    uow: UnitOfWork, video: Video, status: str, now: datetime, *, reason: str | None = None
) -> None:
    """End an analysis that did not succeed: its reservation goes back and the outcome is recorded."""
    _end(video, status, now)
    await credits.release(uow, video, now=now)
    if status == "failed":
        video.error = reason
        video.record(
            VideoAnalysisFailed(
                workspace_id=video.workspace_id,
                project_id=video.project_id,
                video_id=video.id,
                attempt=video.attempt,
                reason=reason or "",
            )
        )
    else:
        video.record(
            VideoAnalysisCancelled(
                workspace_id=video.workspace_id,
                project_id=video.project_id,
                video_id=video.id,
                attempt=video.attempt,
            )
        )


async def fail_analysis(cmd: FailAnalysis, *, uow: UnitOfWork, clock: Clock) -> None:
    video = await _unsettled(uow, cmd.video_id, cmd.attempt)
    if video is not None:
        await _stop(uow, video, "failed", clock(), reason=cmd.reason)


async def confirm_cancelled(cmd: ConfirmCancelled, *, uow: UnitOfWork, clock: Clock) -> None:
    video = await _unsettled(uow, cmd.video_id, cmd.attempt)
    if video is not None:
        await _stop(uow, video, "cancelled", clock())


async def _retire(uow: UnitOfWork, video_id: uuid.UUID, now: datetime) -> None:
    """A video whose project or workspace is gone: its analysis ends and its credits go back."""
    video = await uow.session.get(Video, video_id, with_for_update=True)
    if video is None:
        return
    video.deleted_at = video.deleted_at or now
    if video.status in ("queued", "processing"):
        await _stop(uow, video, "cancelled", now)


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
