"""Model-written answers with VISIONSCOPE_LLM_URL, against a small OpenAI-compatible server that
this test starts on 127.0.0.1: citations the model invents are dropped, a model that declines
gives an ungrounded answer, and a model that is down leaves the answer to the built-in engine."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import SampleVideo
from tests.e2e.test_conversations import analysed, ask, conversation, events_of
from visionscope.config import Settings
from visionscope.runtime import EmbeddedRuntime


class ChatServer(ThreadingHTTPServer):
    """Answers chat completions from the evidence it is sent: it quotes evidence [1], cites [1] and
    an evidence number that does not exist ([99]); asked about something absent, it declines."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[dict[str, Any]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


class _Handler(BaseHTTPRequestHandler):
    server: ChatServer

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append(body)
        prompt = body["messages"][-1]["content"]
        first = re.search(r"^\[1\] .*?: (.*)$", prompt, re.MULTILINE)
        if "volcano" in prompt.lower() or first is None:
            content = "NOT IN VIDEO"
        else:
            content = f'The video says "{first[1]}" [1]. It also shows a dragon [99].'
        if body.get("stream"):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for piece in re.findall(r"\S+\s*", content):
                chunk = {"choices": [{"index": 0, "delta": {"content": piece}}]}
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.write(b"data: [DONE]\n\n")
            return
        reply = json.dumps({"choices": [{"index": 0, "message": {"role": "assistant", "content": content}}]})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply.encode())


@pytest.fixture
def chat_server() -> Iterator[ChatServer]:
    server = ChatServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def settings(settings: Settings, chat_server: ChatServer) -> Settings:
    return settings.model_copy(
        update={"llm_url": chat_server.url, "llm_model": "tiny", "llm_timeout_seconds": 5.0}
    )


async def test_a_model_writes_from_the_evidence_and_its_made_up_citations_are_dropped(
    client: httpx.AsyncClient, runtime: EmbeddedRuntime, short_video: SampleVideo, chat_server: ChatServer
) -> None:
    world = await analysed(client, runtime, short_video)
    conv = await conversation(client, world.owner, video_id=world.video["id"])

    answer = (await ask(client, world.owner, conv, "When is the Denver warehouse mentioned?")).json()
    assert answer["engine"] == "llm" and answer["grounded"] is True
    assert len(answer["citations"]) == 1 and "Denver" in answer["citations"][0]["quote"]
    assert "[99]" not in answer["content"] and "[00:0" in answer["content"]
    sent = chat_server.requests[-1]
    assert sent["model"] == "tiny" and "Denver" in sent["messages"][-1]["content"]
    assert "When is the Denver warehouse mentioned?" in sent["messages"][-1]["content"]

    declined = (await ask(client, world.owner, conv, "Does anyone mention a volcano?")).json()
    assert declined["engine"] == "llm" and declined["grounded"] is False and declined["citations"] == []
    assert "NOT IN VIDEO" not in declined["content"] and "does not" in declined["content"]
    assert len(chat_server.requests[-1]["messages"]) > 2  # the earlier exchange is sent along

    streamed = await client.post(
        f"/v1/conversations/{conv}/messages?stream=true",
        json={"content": "What is said about safety glasses?"},
        headers=world.owner.headers,
    )
    events = events_of(streamed.text)
    final = events[-1][1]
    assert events[-1][0] == "message" and final["engine"] == "llm" and final["grounded"] is True
    assert [k for k, _ in events[:-1]] and all(k == "delta" for k, _ in events[:-1])
    assert "[99]" not in "".join(d["content"] for _, d in events[:-1])

    chat_server.shutdown()
    chat_server.server_close()
    fallback = (await ask(client, world.owner, conv, "When is the Denver warehouse mentioned?")).json()
    assert fallback["engine"] == "builtin" and fallback["grounded"] is True and fallback["citations"]
    streamed_fallback = await client.post(
        f"/v1/conversations/{conv}/messages?stream=true",
        json={"content": "How long is the video?"},
        headers=world.owner.headers,
    )
    assert events_of(streamed_fallback.text)[-1][1]["engine"] == "builtin"
