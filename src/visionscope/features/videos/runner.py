"""The analysis worker: runs the pipeline for a video outside any transaction, under a lease.

It claims the video's current attempt, runs the CPU pipeline in a thread, persists progress
(which also renews the lease and brings back a cancel request), and records the outcome.
A worker that dies leaves a lease that runs out; within seconds the scheduler notices
(``lost_analyses``) and delivers the event again to a live worker, which resumes the
pipeline's finished stages. Meanwhile the video says it is resuming.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from visionscope.analysis import (
    AnalysisOptions,
    MediaRejected,
    ModelMissing,
    ModelPaths,
    run_pipeline,
)
from visionscope.building_blocks.consumers import EventContext, HeldElsewhere
from visionscope.building_blocks.errors import Conflict, NotFound
from visionscope.building_blocks.mediator import Context, Mediator
from visionscope.building_blocks.messages import Event
from visionscope.building_blocks.outbox import Envelope, OutboxMessage, envelope_of
from visionscope.building_blocks.storage import Storage
from visionscope.features.videos.commands import (
    ClaimAnalysis,
    ConfirmCancelled,
    FailAnalysis,
    FinishAnalysis,
    ReportProgress,
)
from visionscope.features.videos.events import VideoReanalysisRequested, VideoUploaded
from visionscope.features.videos.models import Video, VideoStatus
from visionscope.features.videos.queries import GetVideoFiles
from visionscope.features.videos.results import subtitles_key

log = logging.getLogger("visionscope.analysis")
UNEXPECTED = "The analysis stopped on an unexpected error; re-analyse the video to try again."


class AnalysisStopped(Exception):
    """Raised inside the pipeline thread to stop it: cancelled, or the lease was lost."""


@dataclass
class _Progress:
    stage: str = "probe"
    fraction: float = 0.0
    eta: float | None = None
    changed: bool = True
    lost: bool = False  # the lease went to someone else, or the video was deleted or re-queued


@dataclass
class AnalysisRunner:
    mediator: Mediator
    storage: Storage
    models: Callable[[], ModelPaths]
    worker: str
    lease_seconds: float = 120.0
    report_every: float = 1.0

    async def __call__(self, event: Event, delivery: EventContext) -> None:
        if not isinstance(event, VideoUploaded | VideoReanalysisRequested):
            return
        ctx = Context(system=True, request_id=delivery.request_id or uuid.uuid4().hex)
        claim = ClaimAnalysis(
            video_id=event.video_id,
            attempt=event.attempt,
            worker=self.worker,
            lease_seconds=self.lease_seconds,
        )
        claimed = await self.mediator.send(claim, ctx)
        try:
            video, source, work = await self.mediator.send(
                GetVideoFiles(video_id=event.video_id, ready_only=False), ctx
            )
        except NotFound:
            return  # deleted
        if not claimed:
            if video.status == "processing" and video.attempt == event.attempt:
                # Another worker holds a live lease. If it is lost, the lease runs out and the
                # event is handed out again (ResumeLostAnalyses): it must not count as done.
                raise HeldElsewhere(f"video {event.video_id} is being analysed by another worker")
            return  # finished, cancelled or superseded
        await asyncio.to_thread(_prepare_work_dir, work, event.attempt)
        subtitles = self.storage.path(subtitles_key(event.video_id))
        try:
            models = await asyncio.to_thread(self.models)
            options = AnalysisOptions(
                models=models,
                text=video.features.get("text_recognition") == "on",
                speech=video.features.get("transcription") == "on",
            )
        except ModelMissing as err:
            log.error("a model is missing", extra={"what": err.what, "hint": err.hint})
            await self._fail(event, ctx, f"VisionScope cannot analyse videos right now: {err.what}.")
            return
        progress, stop = _Progress(), threading.Event()

        def on_progress(stage: str, fraction: float, eta: float | None) -> None:
            if stop.is_set():
                raise AnalysisStopped
            progress.stage, progress.fraction, progress.eta, progress.changed = stage, fraction, eta, True

        reporter = asyncio.create_task(self._report(event, ctx, progress, stop))
        started = time.monotonic()
        try:
            await asyncio.to_thread(
                run_pipeline,
                source,
                work,
                options=options,
                on_progress=on_progress,
                subtitles_path=subtitles if subtitles.exists() else None,
            )
        except AnalysisStopped:
            if not progress.lost:
                await self.mediator.send(
                    ConfirmCancelled(video_id=event.video_id, attempt=event.attempt), ctx
                )
            return
        except MediaRejected as err:
            await self._fail(event, ctx, err.reason)
            return
        except ModelMissing as err:
            log.error("a model is missing", extra={"what": err.what, "hint": err.hint})
            await self._fail(event, ctx, f"VisionScope cannot analyse videos right now: {err.what}.")
            return
        except Exception:
            log.exception("analysis failed", extra={"video_id": str(event.video_id)})
            await self._fail(event, ctx, UNEXPECTED)
            return
        finally:
            # Let the reporter finish its round: cancelling it mid-transaction could leave a
            # database connection holding its write lock.
            stop.set()
            await asyncio.gather(reporter, return_exceptions=True)
        features = dict(video.features)
        try:
            await self.mediator.send(
                FinishAnalysis(
                    video_id=event.video_id,
                    attempt=event.attempt,
                    worker=self.worker,
                    processing_seconds=round(time.monotonic() - started, 3),
                    features=features,
                ),
                ctx,
            )
        except Conflict:
            log.info("analysis finished after the video moved on", extra={"video_id": str(event.video_id)})

    async def _fail(self, event: VideoUploaded | VideoReanalysisRequested, ctx: Context, reason: str) -> None:
        await self.mediator.send(
            FailAnalysis(video_id=event.video_id, attempt=event.attempt, reason=reason), ctx
        )

    async def _report(
        self,
        event: VideoUploaded | VideoReanalysisRequested,
        ctx: Context,
        progress: _Progress,
        stop: threading.Event,
    ) -> None:
        """Persist progress about once a second; each report renews the lease and reads a cancel request."""
        last_sent = 0.0
        while not stop.is_set():
            await asyncio.sleep(self.report_every)
            now = time.monotonic()
            if not progress.changed and now - last_sent < self.lease_seconds / 4:
                continue
            progress.changed = False
            last_sent = now
            report = ReportProgress(
                video_id=event.video_id,
                attempt=event.attempt,
                worker=self.worker,
                stage=progress.stage,
                progress=progress.fraction,
                eta_seconds=progress.eta,
                lease_seconds=self.lease_seconds,
            )
            try:
                if await self.mediator.send(report, ctx):
                    stop.set()  # the user cancelled
            except Conflict:
                progress.lost = True  # the video was deleted, re-queued or taken over: stop quietly
                stop.set()
            except Exception:
                log.exception("progress report failed; retrying")


def _prepare_work_dir(work: Path, attempt: int) -> None:
    """Keep the finished stages of this attempt; start afresh for a new attempt."""
    stamp = work / "attempt"
    if work.exists() and (not stamp.exists() or stamp.read_text().strip() != str(attempt)):
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    stamp.write_text(str(attempt))


async def lost_analyses(session: AsyncSession, now: datetime, limit: int = 100) -> list[Envelope]:
    """The analysis event of each video whose worker was lost: processing under a lease that ran
    out. Delivered again, it goes to a live worker, which claims the lease and resumes."""
    lost = (
        await session.execute(
            select(Video.id, Video.attempt)
            .where(
                Video.status == VideoStatus.PROCESSING,
                Video.lease_until < now,
                Video.deleted_at.is_(None),
            )
            .order_by(Video.lease_until)
            .limit(limit)
        )
    ).all()
    found: list[Envelope] = []
    for video_id, attempt in lost:
        rows = await session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.aggregate_id == str(video_id),
                OutboxMessage.type.in_((VideoUploaded.__name__, VideoReanalysisRequested.__name__)),
            )
            .order_by(OutboxMessage.position.desc())
        )
        row = next((r for r in rows if r.payload.get("attempt") == attempt), None)
        if row is not None:
            found.append(envelope_of(row))
    return found
