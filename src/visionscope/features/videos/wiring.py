"""Videos' handler table and event subscriptions."""

from __future__ import annotations

import os
import socket
import threading

from visionscope.analysis import ModelPaths, check_models
from visionscope.building_blocks.consumers import AnySubscription, LongRunningSubscription, Subscription
from visionscope.building_blocks.mediator import Handler, Mediator
from visionscope.building_blocks.messages import Event
from visionscope.building_blocks.uow import UnitOfWork
from visionscope.building_blocks.wiring import bind
from visionscope.config import Settings
from visionscope.dependencies import HandlerDeps
from visionscope.features.videos import commands, handlers, queries
from visionscope.features.videos.events import VideoDeleted, VideoReanalysisRequested, VideoUploaded
from visionscope.features.videos.results import video_key
from visionscope.features.videos.runner import AnalysisRunner
from visionscope.features.workspaces.events import ProjectDeleted, WorkspaceDeleted


def message_handlers(c: HandlerDeps) -> dict[type, Handler]:
    clock = {"clock": c.clock}
    return {
        commands.RegisterVideo: bind(handlers.register_video, **clock),
        commands.CancelAnalysis: bind(handlers.cancel_analysis, **clock),
        commands.ReanalyzeVideo: bind(handlers.reanalyze_video, **clock),
        commands.DeleteVideo: bind(handlers.delete_video, **clock),
        commands.ClaimAnalysis: bind(handlers.claim_analysis, **clock),
        commands.ReportProgress: bind(handlers.report_progress, **clock),
        commands.FinishAnalysis: bind(handlers.finish_analysis, **clock),
        commands.FailAnalysis: bind(handlers.fail_analysis, **clock),
        commands.ConfirmCancelled: bind(handlers.confirm_cancelled, **clock),
        queries.GetUploadPolicy: bind(handlers.get_upload_policy, settings=c.settings),
        queries.GetVideo: bind(handlers.get_video),
        queries.ListVideos: bind(handlers.list_videos),
        queries.GetVideoFiles: bind(handlers.get_video_files, storage=c.storage),
        queries.GetVideoResults: bind(handlers.get_video_files, storage=c.storage),
    }


class AnalysisModels:
    """The models the pipeline needs, checked (and assembled) once, on first use or at start-up."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._paths: ModelPaths | None = None
        self._lock = threading.Lock()

    def __call__(self) -> ModelPaths:
        with self._lock:
            if self._paths is None:
                cache = self._settings.model_dir
                self._paths = check_models(cache, whisper_override=self._settings.whisper_model_dir)
            return self._paths


def event_subscriptions(c: HandlerDeps, mediator: Mediator) -> list[AnySubscription]:
    runner = AnalysisRunner(
        mediator=mediator,
        storage=c.storage,
        models=AnalysisModels(c.settings),
        worker=f"{socket.gethostname()}:{os.getpid()}",
        lease_seconds=c.settings.analysis_lease_seconds,
    )

    async def remove_files(event: Event, uow: UnitOfWork) -> None:
        """A deleted video's files go; the row stays for the audit trail and usage reports."""
        assert isinstance(event, VideoDeleted)
        c.storage.delete_tree(video_key(event.video_id))

    async def remove_project_files(event: Event, uow: UnitOfWork) -> None:
        """The videos of a deleted project (or workspace) go, files and all; their rows stay for audit."""
        assert isinstance(event, ProjectDeleted | WorkspaceDeleted)
        for video_id in await handlers.retire_videos(uow, event, c.clock()):
            c.storage.delete_tree(video_key(video_id))

    return [
        Subscription(ProjectDeleted, "video_processing", "videos.remove_project_files", remove_project_files),
        Subscription(
            WorkspaceDeleted, "video_processing", "videos.remove_project_files", remove_project_files
        ),
        LongRunningSubscription(VideoUploaded, "video_processing", "videos.analyse", runner),
        LongRunningSubscription(VideoReanalysisRequested, "video_processing", "videos.analyse", runner),
        Subscription(VideoDeleted, "video_processing", "videos.remove_files", remove_files),
    ]
