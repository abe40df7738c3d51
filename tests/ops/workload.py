"""A small, known workload for the metrics tests: what it does is what /metrics must show."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from tests.helpers import Account, add_member, register, workspace
from visionscope.analysis.pipeline import FORMAT_VERSION, write_json_atomic
from visionscope.bootstrap import Container
from visionscope.building_blocks.uow import UnitOfWork
from visionscope.features.videos.events import VideoAnalysed, VideoAnalysisFailed
from visionscope.features.videos.results import work_key
from visionscope.runtime import EmbeddedRuntime

CHAT_MESSAGES = 7
PRO_CENTS_PER_CREDIT = 4900 / (6000 + 3000 + 3000 + 5000 + 2000 + 10)  # the packaged pro tier
ANALYSIS_SECONDS = 42.5
VIDEO_SECONDS = 60.0
STAGE_SECONDS = {"probe": 0.25, "scan": 2.0, "speech": 3.5}  # "text" is skipped: it counts nothing


@dataclass
class Workload:
    owner: Account
    viewer: Account
    workspace: dict[str, Any]


def write_stage_files(container: Container, video_id: uuid.UUID) -> None:
    """The files an analysis leaves in the video's work directory, one per stage."""
    work = container.storage.path(work_key(video_id))
    work.mkdir(parents=True)
    stages = {**{name: ("done", s) for name, s in STAGE_SECONDS.items()}, "text": ("skipped", 0.0)}
    for name, (status, seconds) in stages.items():
        data = {"version": FORMAT_VERSION, "stage": name, "status": status, "seconds": seconds, "result": {}}
        write_json_atomic(work / f"{name}.json", {**data, "reason": None})


async def record_analyses(container: Container, workspace_id: uuid.UUID, project_id: uuid.UUID) -> None:
    """One video analysed and one that failed, recorded as the videos feature records them."""
    analysed, failed = uuid.uuid4(), uuid.uuid4()
    write_stage_files(container, analysed)
    uow = UnitOfWork(container.sessions, on_events_committed=container.outbox_wake.set)
    async with uow:
        uow.record(
            VideoAnalysed(
                workspace_id=workspace_id,
                project_id=project_id,
                video_id=analysed,
                attempt=1,
                duration=VIDEO_SECONDS,
                processing_seconds=ANALYSIS_SECONDS,
                features={},
            )
        )
        uow.record(
            VideoAnalysisFailed(
                workspace_id=workspace_id,
                project_id=project_id,
                video_id=failed,
                attempt=1,
                reason="not a video",
            )
        )
        await uow.commit()


async def run_workload(http: httpx.AsyncClient, container: Container, runtime: EmbeddedRuntime) -> Workload:
    """A pro workspace with a viewer; 7 chat messages charged; credits read twice; two analyses ended."""
    owner, viewer = await register(http, "Owner"), await register(http, "Viewer")
    ws = await workspace(http, owner, "pro")
    await add_member(http, ws, owner, viewer, "viewer")
    project = await http.post(
        f"/v1/workspaces/{ws['id']}/projects", json={"name": "P"}, headers=owner.headers
    )
    assert project.status_code == 201, project.text
    charged = await http.post(
        f"/v1/workspaces/{ws['id']}/usage",
        json={"feature": "chat_message", "quantity": CHAT_MESSAGES},
        headers={**owner.headers, "Idempotency-Key": "chat"},
    )
    assert charged.status_code == 201, charged.text
    # Consumers of the events above record events of their own (notices), which rightly drop the
    # workspace's cached reads: let them finish so the two reads below meet one cache state.
    await runtime.settle()
    for _ in range(2):
        assert (
            await http.get(f"/v1/workspaces/{ws['id']}/credits", headers=owner.headers)
        ).status_code == 200
    await record_analyses(container, uuid.UUID(ws["id"]), uuid.UUID(project.json()["id"]))
    await runtime.settle()
    return Workload(owner, viewer, ws)
