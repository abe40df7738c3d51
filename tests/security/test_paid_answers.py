"""Paid answers are paid once: an idempotency key is tied to its request, and a streamed answer
holds its credit before the first byte (issue: one credit bought six answers)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

from tests.e2e.conftest import SampleVideo
from tests.e2e.test_conversations import Analysed, analysed, pool
from visionscope.runtime import EmbeddedRuntime

QUESTIONS = [
    "When is the warehouse mentioned?",
    "What is said about safety glasses?",
    "What is shown at the end?",
    "Which city is named?",
    "What should people wear?",
    "When does the warehouse open?",
]


async def _leave(client: httpx.AsyncClient, world: Analysed, feature: str, credits: int) -> None:
    left = (await pool(client, world.owner, world.workspace, feature))["available"]
    spent = await client.post(
        f"/v1/workspaces/{world.workspace['id']}/usage",
        json={"feature": feature, "quantity": left - credits},
        headers=world.owner.headers,
    )
    assert spent.status_code == 201, spent.text


def _streamed_answer(body: str) -> str:
    text = ""
    for line in body.splitlines():
        if line.startswith("data: {"):
            chunk: dict[str, Any] = json.loads(line[6:])
            for choice in chunk.get("choices", []):
                text += choice["delta"].get("content") or ""
    return text


async def test_one_credit_buys_one_streamed_answer_however_many_ask_at_once(
    client: httpx.AsyncClient, runtime: EmbeddedRuntime, short_video: SampleVideo
) -> None:
    world = await analysed(client, runtime, short_video, tier="free")
    await _leave(client, world, "chat_message", 1)
    model = f"video:{world.video['id']}"

    async def ask(question: str) -> httpx.Response:
        return await client.post(
            "/v1/chat/completions",
            json={"model": model, "stream": True, "messages": [{"role": "user", "content": question}]},
            headers=world.owner.headers,
        )

    answers = await asyncio.gather(*(ask(q) for q in QUESTIONS))
    delivered = [r for r in answers if r.status_code == 200 and _streamed_answer(r.text).strip()]
    refused = [r for r in answers if r.status_code == 402]
    assert len(delivered) == 1, [(r.status_code, r.text[:200]) for r in answers]
    assert len(refused) == len(QUESTIONS) - 1
    after = await pool(client, world.owner, world.workspace, "chat_message")
    assert after["available"] == 0 and after["reserved"] == 0


async def test_an_idempotency_key_is_tied_to_its_completion_and_its_search(
    client: httpx.AsyncClient, runtime: EmbeddedRuntime, short_video: SampleVideo
) -> None:
    world = await analysed(client, runtime, short_video, tier="pro")
    model = f"video:{world.video['id']}"
    chat_before = await pool(client, world.owner, world.workspace, "chat_message")
    search_before = await pool(client, world.owner, world.workspace, "search")
    keyed = {**world.owner.headers, "Idempotency-Key": "one-key"}

    async def complete(question: str) -> httpx.Response:
        return await client.post(
            "/v1/chat/completions",
            json={"model": model, "messages": [{"role": "user", "content": question}]},
            headers=keyed,
        )

    first = await complete(QUESTIONS[0])
    assert first.status_code == 200, first.text
    for question in QUESTIONS[1:3]:
        other = await complete(question)
        assert other.status_code == 409, other.text
        assert other.headers["content-type"].startswith("application/problem+json")
    same = await complete(QUESTIONS[0])
    assert same.status_code == 200
    assert same.json()["choices"][0]["message"]["content"] == first.json()["choices"][0]["message"]["content"]
    chat_after = await pool(client, world.owner, world.workspace, "chat_message")
    assert chat_after["used"] == chat_before["used"] + 1

    async def search(query: str) -> httpx.Response:
        return await client.post(
            f"/v1/projects/{world.project}/search", json={"query": query, "limit": 5}, headers=keyed
        )

    found = await search("warehouse")
    assert found.status_code == 200, found.text
    for query in ("safety glasses", "thank you", "denver", "september"):
        assert (await search(query)).status_code == 409
    again = await search("warehouse")
    assert again.status_code == 200 and again.json() == found.json()
    search_after = await pool(client, world.owner, world.workspace, "search")
    assert search_after["used"] == search_before["used"] + 1


async def test_one_credit_buys_one_streamed_conversation_answer_however_many_ask_at_once(
    client: httpx.AsyncClient, runtime: EmbeddedRuntime, short_video: SampleVideo
) -> None:
    world = await analysed(client, runtime, short_video, tier="free")
    await _leave(client, world, "chat_message", 1)
    conversations = []
    for _ in QUESTIONS:
        started = await client.post(
            "/v1/conversations", json={"video_id": world.video["id"]}, headers=world.owner.headers
        )
        conversations.append(started.json()["id"])

    async def ask(conversation: str, question: str) -> httpx.Response:
        return await client.post(
            f"/v1/conversations/{conversation}/messages?stream=true",
            json={"content": question},
            headers=world.owner.headers,
        )

    answers = await asyncio.gather(*(ask(c, q) for c, q in zip(conversations, QUESTIONS, strict=True)))
    delivered = [r for r in answers if r.status_code == 200 and "event: delta" in r.text]
    assert len(delivered) == 1, [(r.status_code, r.text[:200]) for r in answers]
    assert "event: message" in delivered[0].text and "event: error" not in delivered[0].text
    assert [r.status_code for r in answers].count(402) == len(QUESTIONS) - 1
    after = await pool(client, world.owner, world.workspace, "chat_message")
    assert after["available"] == 0 and after["reserved"] == 0
