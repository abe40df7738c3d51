"""A model server that writes answers: any OpenAI-compatible chat completions server (vLLM,
Ollama, llama.cpp's server) given by `VISIONSCOPE_LLM_URL`. It is used through the same path as
the local model (`visionscope.language_model`): the engine builds the messages and checks the
reply (`verify.py`); this module only carries them.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

import httpx


@dataclass(frozen=True, slots=True)
class ModelSettings:
    url: str
    model: str
    timeout: float
    api_key: str | None = None
    max_tokens: int = 160

    @property
    def endpoint(self) -> str:
        base = self.url.rstrip("/")
        return base if base.endswith("/chat/completions") else f"{base}/chat/completions"


class ModelServer:
    """Streams a reply from the configured server; raises httpx.HTTPError or ValueError when it fails."""

    def __init__(self, settings: ModelSettings) -> None:
        self.settings = settings

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.settings.api_key}"} if self.settings.api_key else {}

    async def stream(self, messages: Sequence[dict[str, str]], *, aside: bool = False) -> AsyncIterator[str]:
        """`aside` changes nothing here: a server keeps the state of its prompts itself."""
        body = {
            "model": self.settings.model,
            "messages": list(messages),
            "temperature": 0,
            "max_tokens": self.settings.max_tokens,
            "stream": True,
        }
        async with (
            httpx.AsyncClient(timeout=self.settings.timeout) as client,
            client.stream("POST", self.settings.endpoint, json=body, headers=self._headers()) as response,
        ):
            response.raise_for_status()
            if "text/event-stream" not in response.headers.get("content-type", ""):
                data = json.loads(await response.aread())
                yield str(data["choices"][0]["message"]["content"] or "")
                return
            async for line in response.aiter_lines():
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    return
                piece = json.loads(data)["choices"][0].get("delta", {}).get("content")
                if piece:
                    yield str(piece)
