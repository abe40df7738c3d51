"""A chat completion sent again with its Idempotency-Key gets the first response back: the same
body, byte for byte when streamed, without a second charge and without asking the engine again;
the key with any other request (another question, or the same one streamed) is refused with 409."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import SampleVideo
from tests.e2e.test_conversations import Analysed, analysed, pool
from visionscope.features.conversations.answers.engine import AnswerEngine
from visionscope.runtime import EmbeddedRuntime

QUESTION = "When is the Denver warehouse mentioned?"


@pytest.fixture
def engine_runs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The questions the answer engine was given, whole or streamed (it prepares each one first)."""
    asked: list[str] = []
    prepare = AnswerEngine.prepare

    def counted(self: AnswerEngine, question: str, subjects: Sequence[Any], history: Sequence[Any]) -> Any:
        asked.append(question)
        return prepare(self, question, subjects, history)

    monkeypatch.setattr(AnswerEngine, "prepare", counted)
    return asked


async def _complete(
    client: httpx.AsyncClient, world: Analysed, key: str, question: str, *, stream: bool = False
) -> httpx.Response:
    return await client.post(
        "/v1/chat/completions",
        json={
            "model": f"video:{world.video['id']}",
            "stream": stream,
            "messages": [{"role": "user", "content": question}],
        },
        headers={**world.owner.headers, "Idempotency-Key": key},
    )


async def test_a_replayed_completion_returns_the_first_response_without_answering_again(
    client: httpx.AsyncClient, runtime: EmbeddedRuntime, short_video: SampleVideo, engine_runs: list[str]
) -> None:
    world = await analysed(client, runtime, short_video, tier="pro")
    before = await pool(client, world.owner, world.workspace, "chat_message")

    first = await _complete(client, world, "replay-whole", QUESTION)
    assert first.status_code == 200, first.text
    assert engine_runs == [QUESTION]

    again = await _complete(client, world, "replay-whole", QUESTION)
    assert again.status_code == 200, again.text
    assert again.json() == first.json()  # the same id and creation time too: it is the first response
    assert engine_runs == [QUESTION]

    other = await _complete(client, world, "replay-whole", "What is shown at the end?")
    assert other.status_code == 409, other.text
    streamed = await _complete(client, world, "replay-whole", QUESTION, stream=True)
    assert streamed.status_code == 409, streamed.text
    assert streamed.headers["content-type"].startswith("application/problem+json")
    assert engine_runs == [QUESTION]

    after = await pool(client, world.owner, world.workspace, "chat_message")
    assert after["used"] == before["used"] + 1 and after["reserved"] == 0


async def test_a_replayed_streamed_completion_streams_the_first_response_again(
    client: httpx.AsyncClient, runtime: EmbeddedRuntime, short_video: SampleVideo, engine_runs: list[str]
) -> None:
    world = await analysed(client, runtime, short_video, tier="pro")
    before = await pool(client, world.owner, world.workspace, "chat_message")

    first = await _complete(client, world, "replay-stream", QUESTION, stream=True)
    assert first.status_code == 200, first.text
    assert '"finish_reason": "stop"' in first.text and first.text.endswith("data: [DONE]\n\n")
    again = await _complete(client, world, "replay-stream", QUESTION, stream=True)
    assert again.status_code == 200, again.text
    assert again.headers["content-type"].startswith("text/event-stream")
    assert again.text == first.text
    assert engine_runs == [QUESTION]

    whole = await _complete(client, world, "replay-stream", QUESTION)
    assert whole.status_code == 409, whole.text
    after = await pool(client, world.owner, world.workspace, "chat_message")
    assert after["used"] == before["used"] + 1 and after["reserved"] == 0
