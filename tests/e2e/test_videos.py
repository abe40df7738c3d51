"""Videos through HTTP with the embedded runtime: upload, analysis, results, media, credits."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import SampleVideo
from tests.helpers import Account, add_member, register, workspace
from visionscope.bootstrap import Container
from visionscope.runtime import EmbeddedRuntime


async def project_of(
    client: httpx.AsyncClient, owner: Account, tier: str = "pro"
) -> tuple[dict[str, Any], str]:
    ws = await workspace(client, owner, tier=tier)
    project = await client.post(
        f"/v1/workspaces/{ws['id']}/projects", json={"name": "p"}, headers=owner.headers
    )
    return ws, project.json()["id"]


async def upload(
    client: httpx.AsyncClient,
    owner: Account,
    project: str,
    content: bytes,
    name: str = "clip.mp4",
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    files: dict[str, Any] = {"file": (name, content, "video/mp4"), **(extra or {})}
    return await client.post(
        f"/v1/projects/{project}/videos", files=files, headers={**owner.headers, **(headers or {})}
    )


def stored(container: Container) -> list[Path]:
    root = container.settings.storage_dir / "videos"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


async def pool(client: httpx.AsyncClient, owner: Account, ws: dict[str, Any], feature: str) -> dict[str, Any]:
    pools = (await client.get(f"/v1/workspaces/{ws['id']}/credits", headers=owner.headers)).json()["items"]
    return next(p for p in pools if p["feature"] == feature)


async def test_an_uploaded_video_is_analysed_and_its_results_served(
    client: httpx.AsyncClient, container: Container, runtime: EmbeddedRuntime, short_video: SampleVideo
) -> None:
    owner = await register(client)
    ws, project = await project_of(client, owner)
    response = await upload(
        client, owner, project, short_video.path.read_bytes(), name="../../etc/briefing.mp4"
    )
    assert response.status_code == 202, response.text
    video = response.json()
    assert video["status"] == "queued" and video["name"] == "briefing.mp4"
    assert abs(video["duration"] - 15.0) < 0.5 and (video["width"], video["height"]) == (640, 360)
    assert video["has_audio"] is True and video["features"]["transcription"] == "on"
    reserved = await pool(client, owner, ws, "video_analysis")
    assert reserved["reserved"] == 10  # one started minute at 10 credits a minute

    await runtime.settle()
    video = (await client.get(f"/v1/videos/{video['id']}", headers=owner.headers)).json()
    assert video["status"] == "ready", video
    assert video["progress"] == 1.0 and video["processing_seconds"] > 0
    base = f"/v1/videos/{video['id']}"

    scenes = (await client.get(f"{base}/scenes", headers=owner.headers)).json()["items"]
    assert [round(s["start"]) for s in scenes] == [0, 5, 10]
    assert [s["transition"] for s in scenes] == ["start", "cut", "cut"]
    assert scenes[1]["transition_start"] == scenes[1]["transition_end"] == scenes[1]["start"]
    assert scenes[0]["colors"][0]["name"] == "blue"
    assert any("Denver" in line for line in scenes[0]["text"])
    text = (await client.get(f"{base}/text", headers=owner.headers)).json()["items"]
    assert any("Safety" in span["text"] and 5.0 <= span["start"] < 10.0 for span in text)
    said = (await client.get(f"{base}/transcript", headers=owner.headers)).json()["items"]
    assert "warehouse" in " ".join(s["text"] for s in said).lower()
    vtt = await client.get(f"{base}/transcript?format=vtt", headers=owner.headers)
    assert vtt.text.startswith("WEBVTT") and vtt.headers["content-type"].startswith("text/vtt")
    srt = await client.get(f"{base}/transcript?format=srt", headers=owner.headers)
    assert srt.text.startswith("1\n") and "-->" in srt.text
    assert (await client.get(f"{base}/chapters", headers=owner.headers)).json()["items"]
    assert (await client.get(f"{base}/summary", headers=owner.headers)).json()["text"]

    thumb = await client.get(scenes[1]["keyframe_url"], headers=owner.headers)
    assert thumb.status_code == 200 and thumb.content[:3] == b"\xff\xd8\xff"
    assert "immutable" in thumb.headers["cache-control"] and thumb.headers["etag"]
    partial = await client.get(f"{base}/media", headers={**owner.headers, "Range": "bytes=0-99"})
    assert partial.status_code == 206 and len(partial.content) == 100
    assert partial.headers["content-range"].endswith(f"/{short_video.path.stat().st_size}")
    assert partial.headers["content-type"] == "video/mp4"

    events = await client.get(f"{base}/events", headers=owner.headers)
    assert events.headers["content-type"].startswith("text/event-stream")
    assert events.text.startswith("event: ready")

    captured = await pool(client, owner, ws, "video_analysis")
    assert captured["reserved"] == 0 and captured["used"] == 10
    assert (await pool(client, owner, ws, "transcription"))["used"] == 5 * math.ceil(15 / 60)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("empty.mp4", b""),
        ("noise.mp4", bytes(range(256)) * 64),
        ("notes.mp4", b"These are meeting notes, not a video.\n" * 50),
        (
            "picture.mp4",
            bytes.fromhex(
                "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8cfc0000003010100c9fe92ef0000000049454e44ae426082"
            ),
        ),
    ],
)
async def test_files_that_are_not_videos_are_refused_and_nothing_is_kept(
    client: httpx.AsyncClient, container: Container, name: str, content: bytes
) -> None:
    owner = await register(client)
    _, project = await project_of(client, owner)
    response = await upload(client, owner, project, content, name=name)
    assert response.status_code == 415, response.text
    assert response.json()["detail"]
    assert stored(container) == []


async def test_a_truncated_video_is_refused_or_fails_with_a_reason(
    client: httpx.AsyncClient, container: Container, runtime: EmbeddedRuntime, short_video: SampleVideo
) -> None:
    owner = await register(client)
    _, project = await project_of(client, owner)
    content = short_video.path.read_bytes()
    response = await upload(client, owner, project, content[: len(content) // 3])
    if response.status_code == 415:
        assert stored(container) == []
        return
    assert response.status_code == 202
    await runtime.settle()
    video = (await client.get(f"/v1/videos/{response.json()['id']}", headers=owner.headers)).json()
    assert video["status"] in ("ready", "failed")
    if video["status"] == "failed":
        assert video["error"] and "Traceback" not in video["error"]


async def test_uploads_without_a_file_or_not_multipart_are_422(client: httpx.AsyncClient) -> None:
    owner = await register(client)
    _, project = await project_of(client, owner)
    no_file = await client.post(
        f"/v1/projects/{project}/videos", files={"other": ("x.txt", b"x")}, headers=owner.headers
    )
    assert no_file.status_code == 422
    as_json = await client.post(f"/v1/projects/{project}/videos", json={"file": "x"}, headers=owner.headers)
    assert as_json.status_code == 422


async def test_an_upload_over_the_size_limit_is_stopped_with_413(
    client: httpx.AsyncClient, container: Container
) -> None:
    container.settings.max_upload_mb = 1
    owner = await register(client)
    _, project = await project_of(client, owner)
    response = await upload(client, owner, project, b"\x00" * (1024 * 1024 + 10))
    assert response.status_code == 413 and response.json()["limit"] == 1024 * 1024
    assert stored(container) == []


async def test_a_viewer_cannot_upload_and_another_workspace_cannot_see(
    client: httpx.AsyncClient, short_video: SampleVideo
) -> None:
    owner = await register(client, "Owner")
    viewer = await register(client, "Viewer")
    stranger = await register(client, "Stranger")
    ws, project = await project_of(client, owner)
    await add_member(client, ws, owner, viewer, "viewer")
    denied = await upload(client, viewer, project, short_video.path.read_bytes())
    assert denied.status_code == 403
    uploaded = (await upload(client, owner, project, short_video.path.read_bytes())).json()
    assert (await client.get(f"/v1/videos/{uploaded['id']}", headers=viewer.headers)).status_code == 200
    assert (await client.get(f"/v1/videos/{uploaded['id']}", headers=stranger.headers)).status_code == 404
    assert (await upload(client, stranger, project, b"x")).status_code == 404


async def test_results_of_a_video_not_ready_answer_409(
    client: httpx.AsyncClient, short_video: SampleVideo
) -> None:
    owner = await register(client)
    _, project = await project_of(client, owner)
    video = (await upload(client, owner, project, short_video.path.read_bytes())).json()
    scenes = await client.get(f"/v1/videos/{video['id']}/scenes", headers=owner.headers)
    assert scenes.status_code == 409 and scenes.json()["video_status"] == "queued"


async def test_cancel_releases_the_reservation_and_reanalysis_charges_again(
    client: httpx.AsyncClient, container: Container, short_video: SampleVideo
) -> None:
    owner = await register(client)
    ws, project = await project_of(client, owner)
    video = (await upload(client, owner, project, short_video.path.read_bytes())).json()
    cancelled = await client.post(f"/v1/videos/{video['id']}/cancel", headers=owner.headers)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert (await pool(client, owner, ws, "video_analysis"))["reserved"] == 0
    again = await client.post(f"/v1/videos/{video['id']}/cancel", headers=owner.headers)
    assert again.status_code == 409
    requeued = await client.post(f"/v1/videos/{video['id']}/reanalyze", headers=owner.headers)
    assert requeued.status_code == 202 and requeued.json()["attempt"] == 2
    assert (await pool(client, owner, ws, "video_analysis"))["reserved"] == 10


async def test_the_same_idempotency_key_uploads_once(
    client: httpx.AsyncClient, container: Container, short_video: SampleVideo
) -> None:
    owner = await register(client)
    ws, project = await project_of(client, owner)
    content = short_video.path.read_bytes()
    first = await upload(client, owner, project, content, headers={"Idempotency-Key": "upload-1"})
    second = await upload(client, owner, project, content, headers={"Idempotency-Key": "upload-1"})
    assert first.json()["id"] == second.json()["id"]
    assert (await pool(client, owner, ws, "video_analysis"))["reserved"] == 10
    assert len({p.parent for p in stored(container)}) == 1


async def test_a_deleted_video_is_gone_with_its_files(
    client: httpx.AsyncClient, container: Container, runtime: EmbeddedRuntime, short_video: SampleVideo
) -> None:
    owner = await register(client)
    ws, project = await project_of(client, owner)
    video = (await upload(client, owner, project, short_video.path.read_bytes())).json()
    assert (await client.delete(f"/v1/videos/{video['id']}", headers=owner.headers)).status_code == 204
    await runtime.settle()
    assert (await client.get(f"/v1/videos/{video['id']}", headers=owner.headers)).status_code == 404
    assert stored(container) == []
    assert (await pool(client, owner, ws, "video_analysis"))["reserved"] == 0


async def test_a_tier_without_transcription_skips_it(
    client: httpx.AsyncClient, runtime: EmbeddedRuntime, short_video: SampleVideo
) -> None:
    owner = await register(client)
    _, project = await project_of(client, owner, tier="free")  # free has no text_recognition
    video = (await upload(client, owner, project, short_video.path.read_bytes())).json()
    assert video["features"]["text_recognition"] == "skipped"
    await runtime.settle()
    ready = (await client.get(f"/v1/videos/{video['id']}", headers=owner.headers)).json()
    assert ready["status"] == "ready"
    assert (await client.get(f"/v1/videos/{video['id']}/text", headers=owner.headers)).json()["items"] == []


async def test_deleting_the_project_retires_its_videos_and_their_files(
    client: httpx.AsyncClient, container: Container, runtime: EmbeddedRuntime, short_video: SampleVideo
) -> None:
    owner = await register(client)
    ws, project = await project_of(client, owner)
    video = (await upload(client, owner, project, short_video.path.read_bytes())).json()
    assert (await client.delete(f"/v1/projects/{project}", headers=owner.headers)).status_code == 204
    await runtime.settle()
    assert (await client.get(f"/v1/videos/{video['id']}", headers=owner.headers)).status_code == 404
    assert stored(container) == []
    assert (await pool(client, owner, ws, "video_analysis"))["reserved"] == 0


async def test_the_uploader_is_told_when_the_video_is_ready(
    client: httpx.AsyncClient, runtime: EmbeddedRuntime, short_video: SampleVideo
) -> None:
    owner = await register(client)
    _, project = await project_of(client, owner)
    video = (await upload(client, owner, project, short_video.path.read_bytes(), name="talk.mp4")).json()
    await runtime.settle()
    notices = (await client.get("/v1/notifications", headers=owner.headers)).json()["items"]
    ready = [n for n in notices if n["kind"] == "video.ready"]
    assert len(ready) == 1 and "talk.mp4" in ready[0]["title"]
    assert ready[0]["data"]["video_id"] == video["id"]
