"""The video's analysis lifecycle on the model: states, transitions and the events they record."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from visionscope.analysis import STAGES
from visionscope.building_blocks.errors import Conflict
from visionscope.features.videos.events import (
    VideoAnalysed,
    VideoAnalysisCancelled,
    VideoAnalysisFailed,
    VideoDeleted,
    VideoReanalysisRequested,
)
from visionscope.features.videos.models import Video, VideoStage, VideoStatus

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def _video(status: VideoStatus) -> Video:
    return Video(
        id=uuid.uuid4(),
        workspace_id=uuid.uuid4(),
        project_id=uuid.uuid4(),
        status=status,
        stage=None,
        progress=0.0,
        duration=30.0,
        attempt=1,
        features={"video_analysis": "on"},
        cancel_requested=False,
        deleted_at=None,
        started_at=None,
    )


def _recorded(video: Video) -> list[type[object]]:
    """The types of the events the video recorded so far (read without taking them)."""
    return [type(event) for _, event in video.__dict__.get("_pending_events", [])]


def test_every_pipeline_stage_is_a_video_stage() -> None:
    assert {s.value for s in VideoStage} == {*STAGES, "done"}


def test_status_values_are_the_stored_strings() -> None:
    assert [s.value for s in VideoStatus] == ["queued", "processing", "ready", "failed", "cancelled"]
    assert [s for s in VideoStatus if s.active] == [VideoStatus.QUEUED, VideoStatus.PROCESSING]


def test_cancelling_a_queued_video_ends_it_and_a_processing_one_asks_the_worker() -> None:
    queued = _video(VideoStatus.QUEUED)
    assert queued.request_cancel(NOW) is True
    assert queued.status == VideoStatus.CANCELLED and queued.finished_at == NOW
    assert _recorded(queued) == [VideoAnalysisCancelled]
    processing = _video(VideoStatus.PROCESSING)
    assert processing.request_cancel(NOW) is False
    assert processing.status == VideoStatus.PROCESSING and processing.cancel_requested
    assert _recorded(processing) == []
    with pytest.raises(Conflict):
        _video(VideoStatus.READY).request_cancel(NOW)


def test_requeue_starts_a_clean_attempt_and_is_refused_while_active() -> None:
    video = _video(VideoStatus.FAILED)
    video.error, video.stage, video.progress, video.lease_owner = "broken", VideoStage.SCAN, 0.4, "w1"
    video.requeue({"video_analysis": "on", "transcription": "skipped"}, NOW)
    assert video.status == VideoStatus.QUEUED and video.attempt == 2
    assert (video.error, video.stage, video.progress, video.lease_owner) == (None, None, 0.0, None)
    assert video.features["transcription"] == "skipped"
    assert _recorded(video) == [VideoReanalysisRequested]
    with pytest.raises(Conflict):
        video.requeue({}, NOW)


def test_worker_progress_finish_and_failure() -> None:
    video = _video(VideoStatus.PROCESSING)
    video.lease_owner, video.started_at = "w1", NOW - timedelta(seconds=10)
    assert video.leased_to(1, "w1") and not video.leased_to(1, "w2") and not video.leased_to(2, "w1")
    assert video.report_progress("speech", 1.5, 3.0, timedelta(seconds=60), NOW) is False
    assert (video.stage, video.progress, video.lease_until) == (
        VideoStage.SPEECH,
        1.0,
        NOW + timedelta(seconds=60),
    )
    video.finish({"video_analysis": "on"}, 9.5, NOW)
    assert (video.status, video.stage, video.processing_seconds) == (VideoStatus.READY, VideoStage.DONE, 9.5)
    assert video.lease_owner is None and video.settled(1)
    assert _recorded(video) == [VideoAnalysed]
    failing = _video(VideoStatus.PROCESSING)
    failing.end(VideoStatus.FAILED, NOW, reason="not a video")
    assert failing.error == "not a video" and _recorded(failing) == [VideoAnalysisFailed]


def test_delete_and_retire_stop_an_active_analysis_only() -> None:
    active = _video(VideoStatus.PROCESSING)
    assert active.delete(NOW) is True
    assert _recorded(active) == [VideoAnalysisCancelled, VideoDeleted] and active.deleted_at == NOW
    ended = _video(VideoStatus.READY)
    assert ended.delete(NOW) is False and _recorded(ended) == [VideoDeleted]
    retired = _video(VideoStatus.QUEUED)
    assert retired.retire(NOW) is True and retired.status == VideoStatus.CANCELLED
    assert _video(VideoStatus.FAILED).retire(NOW) is False
