"""Model-written answers with VISIONSCOPE_LLM_URL, against a small OpenAI-compatible server that
this test starts on 127.0.0.1: an answer from the evidence stands, one that invents is withdrawn
(asked again once, then the built-in engine answers), a model that declines gives an ungrounded
answer, and a model that is down leaves the answer to the built-in engine."""

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
from visionscope.features.conversations.answers.reading import CHECK_SYSTEM
from visionscope.runtime import EmbeddedRuntime


class ChatServer(ThreadingHTTPServer):
    """Answers chat completions from the evidence it is sent: it quotes the first line holding a
    word of the question and cites it; asked about a dragon it invents one (and cites [99]); asked
    about something absent, it declines. Asked to read an answer's lines closely (`reading`), it
    says Yes; those requests are kept apart, in `readings`."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[dict[str, Any]] = []
        self.readings: list[dict[str, Any]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


_STOP = {"what", "when", "does", "the", "who", "how", "which", "is", "are", "there", "new"}


class _Handler(BaseHTTPRequestHandler):
    server: ChatServer

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if body["messages"][0]["content"] == CHECK_SYSTEM:
            self.server.readings.append(body)
            self._reply(body, "Yes")
            return
        self.server.requests.append(body)
        prompt = "\n".join(m["content"] for m in body["messages"])  # the evidence may come first
        question = body["messages"][-1]["content"].split("Question: ")[-1].split("\n")[0].lower()
        lines = re.findall(r"^\[(\d+)\] .*?: (.*)$", prompt, re.MULTILINE)
        wanted = [w[:4] for w in re.findall(r"[a-z]+", question) if len(w) >= 3 and w not in _STOP]
        shared = [
            (sum(any(t.startswith(w) for t in re.findall(r"[a-z]+", text.lower())) for w in wanted), n, text)
            for n, text in lines
        ]
        best = max(shared, default=(0, "", ""))
        found = (best[1], best[2]) if best[0] else None
        if "dragon" in question:
            content = "A green dragon flies over the warehouse [1]. It is shown again later [99]."
        elif "volcano" in question or found is None:
            content = "NOT IN VIDEO"
        else:
            content = f'The video says "{found[1]}" [{found[0]}].'
        self._reply(body, content)

    def _reply(self, body: dict[str, Any], content: str) -> None:
        if body.get("stream"):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            try:
                for piece in re.findall(r"\S+\s*", content):
                    chunk = {"choices": [{"index": 0, "delta": {"content": piece}}]}
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.write(b"data: [DONE]\n\n")
            except BrokenPipeError:  # a close reading stops once it has its word
                pass
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


async def test_a_model_writes_from_the_evidence_and_an_invented_answer_is_withdrawn(
    client: httpx.AsyncClient, runtime: EmbeddedRuntime, short_video: SampleVideo, chat_server: ChatServer
) -> None:
    world = await analysed(client, runtime, short_video)
    conv = await conversation(client, world.owner, video_id=world.video["id"])

    builtin = (await ask(client, world.owner, conv, "When is the Denver warehouse mentioned?")).json()
    assert builtin["engine"] == "builtin" and builtin["grounded"] and chat_server.requests == []

    answer = (await ask(client, world.owner, conv, "When does the new Denver site open?")).json()
    assert answer["engine"] == "llm" and answer["grounded"] is True, answer
    assert len(answer["citations"]) == 1 and "Denver" in answer["citations"][0]["quote"]
    assert "[00:0" in answer["content"] and "[1]" not in answer["content"]
    sent = chat_server.requests[-1]
    assert sent["model"] == "tiny" and "Denver" in sent["messages"][0]["content"]  # a short video: whole
    assert sent["messages"][-1]["content"].endswith("Question: When does the new Denver site open?")
    read = chat_server.readings[-1]["messages"][-1]["content"]  # the answer's lines, read again
    assert "Denver" in read and "Question: When does the new Denver site open?" in read

    declined = (await ask(client, world.owner, conv, "Does anyone mention a volcano?")).json()
    assert declined["engine"] == "llm" and declined["grounded"] is False and declined["citations"] == []
    assert "NOT IN VIDEO" not in declined["content"] and "does not" in declined["content"]
    assert len(chat_server.requests[-1]["messages"]) > 2  # the earlier exchange is sent along

    asked = len(chat_server.requests)
    invented = (await ask(client, world.owner, conv, "Is there a dragon?")).json()
    assert invented["grounded"] is False and invented["citations"] == [] and "dragon" in invented["content"]
    assert "green" not in invented["content"]
    assert len(chat_server.requests) == asked + 2  # asked again once, told why
    assert "rejected" in chat_server.requests[-1]["messages"][-1]["content"]

    streamed = await client.post(
        f"/v1/conversations/{conv}/messages?stream=true",
        json={"content": "What protective gear is needed in the lab?"},
        headers=world.owner.headers,
    )
    events = events_of(streamed.text)
    final = events[-1][1]
    assert events[-1][0] == "message" and final["engine"] == "llm" and final["grounded"] is True
    assert [k for k, _ in events[:-1]] and all(k == "delta" for k, _ in events[:-1])
    assert "".join(d["content"] for _, d in events[:-1]) == final["content"]

    withdrawn = await client.post(
        f"/v1/conversations/{conv}/messages?stream=true",
        json={"content": "When does the dragon appear?"},
        headers=world.owner.headers,
    )
    kinds = [k for k, _ in events_of(withdrawn.text)]
    assert "reset" in kinds and kinds[-1] == "message"
    assert events_of(withdrawn.text)[-1][1]["grounded"] is False

    chat_server.shutdown()
    chat_server.server_close()
    fallback = (await ask(client, world.owner, conv, "When does the new Denver site open?")).json()
    assert fallback["engine"] == "builtin" and fallback["grounded"] is False and fallback["citations"] == []
    streamed_fallback = await client.post(
        f"/v1/conversations/{conv}/messages?stream=true",
        json={"content": "What protective gear is needed in the lab?"},
        headers=world.owner.headers,
    )
    assert events_of(streamed_fallback.text)[-1][1]["engine"] == "builtin"
