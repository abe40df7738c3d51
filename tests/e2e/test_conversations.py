"""Conversations through HTTP with the embedded runtime: asking, memory, streaming, listing,
credits and idempotency, bad input, and project search, on videos analysed for real."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from typing import Any

import httpx

from tests.e2e.conftest import SampleVideo
from tests.helpers import Account, add_member, register, tiny_video, workspace
from visionscope.runtime import EmbeddedRuntime


@dataclass
class Analysed:
    owner: Account
    workspace: dict[str, Any]
    project: str
    video: dict[str, Any]


async def analysed(
    client: httpx.AsyncClient,
    runtime: EmbeddedRuntime,
    sample: SampleVideo,
    *,
    tier: str = "pro",
    owner: Account | None = None,
) -> Analysed:
    """A workspace with a project and the sample video in it, analysed."""
    owner = owner or await register(client)
    ws = await workspace(client, owner, tier=tier)
    project = (
        await client.post(f"/v1/workspaces/{ws['id']}/projects", json={"name": "p"}, headers=owner.headers)
    ).json()["id"]
    upload = await client.post(
        f"/v1/projects/{project}/videos",
        files={"file": (sample.path.name, sample.path.read_bytes(), "video/mp4")},
        headers=owner.headers,
    )
    assert upload.status_code == 202, upload.text
    await runtime.settle()
    video = (await client.get(f"/v1/videos/{upload.json()['id']}", headers=owner.headers)).json()
    assert video["status"] == "ready", video
    return Analysed(owner, ws, project, video)


async def conversation(client: httpx.AsyncClient, who: Account, **subject: str) -> str:
    response = await client.post("/v1/conversations", json=subject, headers=who.headers)
    assert response.status_code == 201, response.text
    conversation_id: str = response.json()["id"]
    return conversation_id


async def ask(
    client: httpx.AsyncClient, who: Account, conversation_id: str, question: str, key: str | None = None
) -> httpx.Response:
    headers = {**who.headers, **({"Idempotency-Key": key} if key else {})}
    return await client.post(
        f"/v1/conversations/{conversation_id}/messages", json={"content": question}, headers=headers
    )


async def pool(client: httpx.AsyncClient, who: Account, ws: dict[str, Any], feature: str) -> dict[str, Any]:
    pools = (await client.get(f"/v1/workspaces/{ws['id']}/credits", headers=who.headers)).json()["items"]
    found: dict[str, Any] = next(p for p in pools if p["feature"] == feature)
    return found


def events_of(body: str) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for block in body.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        found.append((lines["event"], json.loads(lines["data"])))
    return found


async def test_a_conversation_answers_with_citations_remembers_and_is_kept(
    client: httpx.AsyncClient, runtime: EmbeddedRuntime, short_video: SampleVideo
) -> None:
    world = await analysed(client, runtime, short_video)
    owner, video_id = world.owner, world.video["id"]
    conv = await conversation(client, owner, video_id=video_id)

    first = await ask(client, owner, conv, "When is the Denver warehouse mentioned?")
    assert first.status_code == 201, first.text
    answer = first.json()
    assert answer["role"] == "assistant" and answer["grounded"] is True and answer["engine"] == "builtin"
    cite = answer["citations"][0]
    assert cite["video_id"] == video_id and cite["start"] < 5.0 and cite["end"] > 0.0
    assert cite["source"] in ("transcript", "text") and "Denver" in cite["quote"]
    assert "[00:0" in answer["content"]

    after = (await ask(client, owner, conv, "What is shown right after that?")).json()
    assert after["grounded"] and "Safety First" in after["content"], after
    length = (await ask(client, owner, conv, "For how long?")).json()
    assert "5 seconds" in length["content"], length
    volcano = (await ask(client, owner, conv, "Does anyone mention a volcano?")).json()
    assert volcano["grounded"] is False and volcano["citations"] == [] and "does not" in volcano["content"]

    kept = (await client.get(f"/v1/conversations/{conv}", headers=owner.headers)).json()
    assert kept["video_id"] == video_id and kept["message_count"] == 8
    assert kept["title"] == "When is the Denver warehouse mentioned?"
    roles = [m["role"] for m in kept["messages"]]
    assert roles == ["user", "assistant"] * 4
    assert kept["messages"][1]["citations"] == answer["citations"]
    assert kept["messages"][0]["content"] == "When is the Denver warehouse mentioned?"

    second = await conversation(client, owner, project_id=world.project)
    by_project = (
        await client.get(f"/v1/projects/{world.project}/conversations", headers=owner.headers)
    ).json()
    assert [c["id"] for c in by_project["items"]] == [conv, second]
    by_video = (await client.get(f"/v1/videos/{video_id}/conversations", headers=owner.headers)).json()
    assert [c["id"] for c in by_video["items"]] == [conv]
    paged = (
        await client.get(f"/v1/projects/{world.project}/conversations?limit=1", headers=owner.headers)
    ).json()
    assert len(paged["items"]) == 1 and paged["next_cursor"]

    in_project = (await ask(client, owner, second, "What does the narrator say about safety glasses?")).json()
    assert in_project["grounded"] and in_project["citations"][0]["video_id"] == video_id
    assert 5.0 <= in_project["citations"][0]["start"] < 10.0


async def test_answers_stream_as_server_sent_events(
    client: httpx.AsyncClient, runtime: EmbeddedRuntime, short_video: SampleVideo
) -> None:
    world = await analysed(client, runtime, short_video)
    conv = await conversation(client, world.owner, video_id=world.video["id"])
    response = await client.post(
        f"/v1/conversations/{conv}/messages?stream=true",
        json={"content": "What text is on screen at 0:07?"},
        headers=world.owner.headers,
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
    events = events_of(response.text)
    kinds = [kind for kind, _ in events]
    assert kinds[-1] == "message" and set(kinds[:-1]) == {"delta"} and len(kinds) > 3
    message = events[-1][1]
    assert "".join(data["content"] for kind, data in events[:-1]) == message["content"]
    assert "Safety First" in message["content"] and message["citations"][0]["source"] == "text"
    stored = (await client.get(f"/v1/conversations/{conv}", headers=world.owner.headers)).json()
    assert stored["messages"][-1]["id"] == message["id"]


async def test_each_answer_charges_one_credit_once_per_key_and_nothing_without_credits(
    client: httpx.AsyncClient, runtime: EmbeddedRuntime, short_video: SampleVideo
) -> None:
    world = await analysed(client, runtime, short_video, tier="free")
    owner, ws = world.owner, world.workspace
    conv = await conversation(client, owner, video_id=world.video["id"])
    before = await pool(client, owner, ws, "chat_message")

    once = await ask(client, owner, conv, "When is the warehouse mentioned?", key="q-1")
    again = await ask(client, owner, conv, "When is the warehouse mentioned?", key="q-1")
    assert once.status_code == again.status_code == 201 and once.json() == again.json()
    other = await ask(client, owner, conv, "How long is the video?")
    assert other.status_code == 201
    assert (await pool(client, owner, ws, "chat_message"))["used"] == before["used"] + 2
    reused = await ask(client, owner, conv, "How many scenes are there?", key="q-1")
    assert reused.status_code == 409 and reused.json()["idempotency_key"] == "q-1"

    left = (await pool(client, owner, ws, "chat_message"))["available"]
    spent = await client.post(
        f"/v1/workspaces/{ws['id']}/usage",
        json={"feature": "chat_message", "quantity": left},
        headers=owner.headers,
    )
    assert spent.status_code == 201, spent.text
    refused = await ask(client, owner, conv, "What is said about safety?")
    assert refused.status_code == 402 and refused.json()["feature"] == "chat_message"
    assert refused.headers["content-type"].startswith("application/problem+json")
    streamed = await client.post(
        f"/v1/conversations/{conv}/messages?stream=true", json={"content": "Hi"}, headers=owner.headers
    )
    assert streamed.status_code == 402
    kept = (await client.get(f"/v1/conversations/{conv}", headers=owner.headers)).json()
    assert kept["message_count"] == 4 and len(kept["messages"]) == 4
    replay = await ask(client, owner, conv, "When is the warehouse mentioned?", key="q-1")
    assert replay.status_code == 201 and replay.json() == once.json()  # answered before: no new charge


async def test_bad_input_gets_clear_statuses_never_500(
    client: httpx.AsyncClient, runtime: EmbeddedRuntime, short_video: SampleVideo
) -> None:
    world = await analysed(client, runtime, short_video)
    owner, video_id = world.owner, world.video["id"]
    conv = await conversation(client, owner, video_id=video_id)

    assert (await ask(client, owner, conv, "")).status_code == 422
    assert (await ask(client, owner, conv, "   ")).status_code == 422
    huge = await ask(client, owner, conv, "Why " * 1000)
    assert huge.status_code == 413 and huge.json()["limit"] == 2000
    body = await client.post(f"/v1/conversations/{conv}/messages", json={"text": "hi"}, headers=owner.headers)
    assert body.status_code == 422
    both = await client.post(
        "/v1/conversations", json={"video_id": video_id, "project_id": world.project}, headers=owner.headers
    )
    assert (
        both.status_code == 422
        and (await client.post("/v1/conversations", json={}, headers=owner.headers)).status_code == 422
    )
    foreign = (await ask(client, owner, conv, "¿Cuándo se menciona el almacén de Denver?")).json()
    assert foreign["grounded"] is False and foreign["citations"] == [] and "English" in foreign["content"]
    nonsense = (await ask(client, owner, conv, "blorf zingle wup?")).json()
    assert nonsense["grounded"] is False and nonsense["citations"] == []
    # An empty Idempotency-Key is no key: each question is answered (a 500 before, the second time)
    url, blank = f"/v1/conversations/{conv}/messages", {**owner.headers, "Idempotency-Key": ""}
    for question in ("How long is the video?", "How many scenes are there?"):
        keyless = await client.post(url, json={"content": question}, headers=blank)
        assert keyless.status_code == 201, keyless.text

    outsider = await register(client, "Outsider")
    await workspace(client, outsider)
    assert (await ask(client, outsider, conv, "Hello?")).status_code == 404
    assert (await client.get(f"/v1/conversations/{conv}", headers=outsider.headers)).status_code == 404
    assert (
        await client.post("/v1/conversations", json={"video_id": video_id}, headers=outsider.headers)
    ).status_code == 404
    viewer = await register(client, "Viewer")
    await add_member(client, world.workspace, owner, viewer, "viewer")
    assert (await ask(client, viewer, conv, "How long is the video?")).status_code == 201

    pending = await client.post(
        f"/v1/projects/{world.project}/videos",
        files={"file": ("new.mp4", tiny_video())},
        headers=owner.headers,
    )
    waiting = await client.post(
        "/v1/conversations", json={"video_id": pending.json()["id"]}, headers=owner.headers
    )
    assert waiting.status_code == 409 and waiting.json()["video_status"] in ("queued", "processing")

    empty_project = (
        await client.post(
            f"/v1/workspaces/{world.workspace['id']}/projects", json={"name": "e"}, headers=owner.headers
        )
    ).json()["id"]
    empty = await conversation(client, owner, project_id=empty_project)
    nothing = await ask(client, owner, empty, "What is said?")
    assert nothing.status_code == 409 and "no videos" in nothing.json()["detail"]

    assert (await client.delete(f"/v1/videos/{video_id}", headers=owner.headers)).status_code == 204
    await runtime.settle()
    gone = await ask(client, owner, conv, "When is the warehouse mentioned?")
    assert gone.status_code == 404 and gone.headers["content-type"].startswith("application/problem+json")
    assert (
        await client.post("/v1/conversations", json={"video_id": video_id}, headers=owner.headers)
    ).status_code == 404


async def test_project_search_finds_moments_across_videos_and_charges_search(
    client: httpx.AsyncClient, runtime: EmbeddedRuntime, short_video: SampleVideo
) -> None:
    world = await analysed(client, runtime, short_video)
    owner, ws = world.owner, world.workspace
    before = await pool(client, owner, ws, "search")
    url = f"/v1/projects/{world.project}/search"
    found = await client.post(url, json={"query": "safety glasses", "limit": 3}, headers=owner.headers)
    assert found.status_code == 200, found.text
    items = found.json()["items"]
    assert 1 <= len(items) <= 3 and items[0]["video_id"] == world.video["id"]
    assert 5.0 <= items[0]["start"] < 10.0 and "afety" in items[0]["snippet"]
    assert set(items[0]) == {"video_id", "start", "end", "score", "source", "snippet"}
    assert all(a["score"] >= b["score"] for a, b in itertools.pairwise(items))
    keyed = {**owner.headers, "Idempotency-Key": "s-1"}
    first = await client.post(url, json={"query": "warehouse"}, headers=keyed)
    second = await client.post(url, json={"query": "warehouse"}, headers=keyed)
    assert first.json() == second.json()
    assert (await pool(client, owner, ws, "search"))["used"] == before["used"] + 2
    assert (await client.post(url, json={"query": ""}, headers=owner.headers)).status_code == 422
    assert (await client.post(url, json={"query": "x", "limit": 0}, headers=owner.headers)).status_code == 422
    empty = (
        await client.post(f"/v1/workspaces/{ws['id']}/projects", json={"name": "e"}, headers=owner.headers)
    ).json()["id"]
    nothing = await client.post(f"/v1/projects/{empty}/search", json={"query": "x"}, headers=owner.headers)
    assert nothing.status_code == 200 and nothing.json()["items"] == []
    assert (await pool(client, owner, ws, "search"))["used"] == before["used"] + 2
