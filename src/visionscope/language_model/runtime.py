"""The local model in this process: loaded once on first use, shared by every request, one
generation at a time.

Two cores do not run two generations faster than one after the other, so generations are
serialised by a lock. llama.cpp keeps the state (KV cache) of the last prompt and reuses it
for the longest common prefix of the next one: prompts that start with the same system
prompt skip its evaluation. Short prompts asked on the side (a check of one answer) run in a
second, small context over the same weights (mapped once in memory), so that they do not
replace the cached state of the long ones. Generation runs in a worker thread; `stream` hands
its pieces to the event loop as they are written.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
import threading
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger("visionscope.language_model")

Message = dict[str, str]


class ModelUnavailable(RuntimeError):
    """The local model cannot answer (not installed, failed to load); the built-in engine answers."""


@dataclass(frozen=True, slots=True)
class RuntimeSettings:
    context_tokens: int = 2048
    threads: int = 0
    """0: one per core this process may use."""
    max_tokens: int = 160
    aside_context_tokens: int = 768


def _threads(wanted: int) -> int:
    if wanted > 0:
        return wanted
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


class LocalModel:
    """A GGUF model run by llama.cpp in this process; thread-safe."""

    def __init__(self, path: Callable[[], Path], settings: RuntimeSettings | None = None) -> None:
        self._path = path
        self.settings = settings or RuntimeSettings()
        self._load_lock = threading.Lock()
        self._generate_lock = threading.Lock()
        self._llama: Any = None
        self._aside: Any = None
        self._failure: str | None = None

    @property
    def failure(self) -> str | None:
        """Why the model could not be loaded, once it was tried."""
        return self._failure

    def _load(self, *, aside: bool = False) -> Any:
        with self._load_lock:
            loaded = self._aside if aside else self._llama
            if loaded is not None:
                return loaded
            if self._failure is not None:
                raise ModelUnavailable(self._failure)
            try:
                llama_cpp: Any = importlib.import_module("llama_cpp")  # heavy: imported when first used
                path = self._path()
                context = llama_cpp.Llama(
                    model_path=str(path),
                    n_ctx=self.settings.aside_context_tokens if aside else self.settings.context_tokens,
                    n_threads=_threads(self.settings.threads),
                    n_batch=256,
                    use_mmap=True,
                    verbose=False,
                )
            except Exception as err:  # any failure to load means: answer without the model
                self._failure = f"{type(err).__name__}: {err}"
                log.warning(
                    "the local language model is unavailable; the built-in engine answers",
                    extra={"error": self._failure},
                )
                raise ModelUnavailable(self._failure) from err
            if aside:
                self._aside = context
            else:
                self._llama = context
                log.info("local language model loaded", extra={"model": str(path)})
            return context

    def warm_up(self, messages: Sequence[Message]) -> None:
        """Load the model and evaluate a prompt (its prefix is then cached); errors are logged."""
        try:
            for _ in self.generate(messages, max_tokens=1):
                pass
        except ModelUnavailable:
            return

    def generate(
        self,
        messages: Sequence[Message],
        *,
        max_tokens: int | None = None,
        stop: threading.Event | None = None,
        aside: bool = False,
    ) -> Iterator[str]:
        """The answer's text in pieces as they are written (blocking: call it in a thread);
        `aside`: in the small second context (see the module's note)."""
        llama = self._load(aside=aside)
        with self._generate_lock:
            chunks = llama.create_chat_completion(
                messages=list(messages),
                temperature=0.0,
                top_k=1,
                max_tokens=max_tokens or self.settings.max_tokens,
                stream=True,
            )
            for chunk in chunks:
                if stop is not None and stop.is_set():
                    break
                piece = chunk["choices"][0].get("delta", {}).get("content")
                if piece:
                    yield str(piece)

    async def stream(
        self, messages: Sequence[Message], *, max_tokens: int | None = None, aside: bool = False
    ) -> AsyncIterator[str]:
        """`generate` in a worker thread, its pieces delivered to the event loop as they come.
        Leaving the loop early (a client gone) stops the generation after the current token."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[str, object]] = asyncio.Queue()
        stop = threading.Event()

        def work() -> None:
            try:
                for piece in self.generate(messages, max_tokens=max_tokens, stop=stop, aside=aside):
                    loop.call_soon_threadsafe(queue.put_nowait, ("piece", piece))
            except BaseException as err:  # handed to the consumer, which raises it
                loop.call_soon_threadsafe(queue.put_nowait, ("error", err))
                return
            loop.call_soon_threadsafe(queue.put_nowait, ("done", None))

        worker = threading.Thread(target=work, name="language-model", daemon=True)
        worker.start()
        try:
            while True:
                kind, value = await queue.get()
                if kind == "piece":
                    yield str(value)
                elif kind == "error":
                    assert isinstance(value, BaseException)
                    raise value
                else:
                    return
        finally:
            stop.set()

    async def complete(self, messages: Sequence[Message], *, max_tokens: int | None = None) -> str:
        return "".join([piece async for piece in self.stream(messages, max_tokens=max_tokens)])
