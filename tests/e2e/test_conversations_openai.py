"""POST /v1/chat/completions driven by the official `openai` package, as existing clients do."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import openai
import pytest

from tests.e2e.conftest import SampleVideo
from tests.e2e.test_conversations import analysed, pool
from visionscope.app import create_app
from visionscope.bootstrap import Container
from visionscope.config import Settings
from visionscope.runtime import EmbeddedRuntime

BASE = "http://visionscope.test"


@pytest.fixture
async def http(settings: Settings, container: Container) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the app, for the openai package to send its requests through."""
    transport = httpx.ASGITransport(app=create_app(settings, container))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        yield client


def openai_client(http: httpx.AsyncClient, key: str) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(api_key=key, base_url=f"{BASE}/v1", http_client=http, max_retries=0)


async def test_the_openai_package_talks_to_a_video(
    client: httpx.AsyncClient, http: httpx.AsyncClient, runtime: EmbeddedRuntime, short_video: SampleVideo
) -> None:
    world = await analysed(client, runtime, short_video)
    oai = openai_client(http, world.owner.token)
    model = f"video:{world.video['id']}"
    before = (await pool(client, world.owner, world.workspace, "chat_message"))["used"]

    reply = await oai.chat.completions.create(
        model=model, messages=[{"role": "user", "content": "When is the Denver warehouse mentioned?"}]
    )
    text = reply.choices[0].message.content or ""
    assert reply.object == "chat.completion" and reply.model == model and "[00:0" in text
    extra = reply.model_extra or {}
    assert extra["grounded"] is True and extra["engine"] == "builtin"
    assert extra["citations"][0]["video_id"] == world.video["id"] and extra["citations"][0]["start"] < 5.0
    assert reply.usage is not None and reply.usage.completion_tokens > 0

    follow = await oai.chat.completions.create(
        model=model,
        messages=[
            {"role": "system", "content": "You are helpful."},
            {"role": "user", "content": "When is the Denver warehouse mentioned?"},
            {"role": "assistant", "content": text},
            {"role": "user", "content": "What is shown right after that?"},
        ],
    )
    assert "Safety First" in (follow.choices[0].message.content or "")

    pieces: list[str] = []
    final: dict[str, object] = {}
    stream = await oai.chat.completions.create(
        model=model, messages=[{"role": "user", "content": "What is said about safety glasses?"}], stream=True
    )
    async for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            pieces.append(chunk.choices[0].delta.content)
        if chunk.choices and chunk.choices[0].finish_reason == "stop":
            final = chunk.model_extra or {}
    assert "safety glasses" in "".join(pieces).lower() and final["grounded"] is True
    assert "".join(pieces) == final["final_content"]

    none = await oai.chat.completions.create(
        model=f"project:{world.project}",
        messages=[{"role": "user", "content": "Does anyone mention a volcano?"}],
    )
    assert (none.model_extra or {})["grounded"] is False and (none.model_extra or {})["citations"] == []
    assert (await pool(client, world.owner, world.workspace, "chat_message"))["used"] == before + 4

    keyed = {"Idempotency-Key": "completion-1"}
    for _ in range(2):
        await oai.chat.completions.create(
            model=model, messages=[{"role": "user", "content": "How long is the video?"}], extra_headers=keyed
        )
    assert (await pool(client, world.owner, world.workspace, "chat_message"))["used"] == before + 5

    with pytest.raises(openai.NotFoundError):
        await oai.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "Hi"}])
    with pytest.raises(openai.UnprocessableEntityError):
        await oai.chat.completions.create(model=model, messages=[{"role": "assistant", "content": "Hi"}])


async def test_a_workspace_api_key_works_as_the_bearer_key(
    client: httpx.AsyncClient, http: httpx.AsyncClient, runtime: EmbeddedRuntime, short_video: SampleVideo
) -> None:
    world = await analysed(client, runtime, short_video)
    created = await client.post(
        f"/v1/workspaces/{world.workspace['id']}/api-keys",
        json={"name": "chat ui"},
        headers=world.owner.headers,
    )
    key = created.json()["key"]
    reply = await openai_client(http, key).chat.completions.create(
        model=f"video:{world.video['id']}",
        messages=[{"role": "user", "content": "How many scenes are there?"}],
    )
    assert "3 scenes" in (reply.choices[0].message.content or "")
    with pytest.raises(openai.AuthenticationError):
        await openai_client(http, "vsk_not-a-real-key").chat.completions.create(
            model=f"video:{world.video['id']}", messages=[{"role": "user", "content": "Hi"}]
        )
