"""Which writer of model answers a process uses: a model server (`VISIONSCOPE_LLM_URL`), the
packaged local model (`VISIONSCOPE_LANGUAGE_MODEL`, the default), or none."""

from __future__ import annotations

import threading
from pathlib import Path

from visionscope.config import Settings
from visionscope.features.conversations.answers.model import ModelServer, ModelSettings
from visionscope.features.conversations.answers.prompt import messages_for
from visionscope.features.conversations.answers.writers import Writer

from .files import LANGUAGE_MODELS, language_model_file
from .runtime import LocalModel, RuntimeSettings

_shared: dict[tuple[str, Path, int], LocalModel] = {}
_shared_lock = threading.Lock()


def local_model(name: str, models_dir: Path, threads: int = 0) -> LocalModel:
    """The process's one instance of a packaged model (loaded on first use)."""
    spec = LANGUAGE_MODELS[name]
    key = (name, models_dir.resolve(), threads)
    with _shared_lock:
        found = _shared.get(key)
        if found is None:
            found = _shared[key] = LocalModel(
                lambda: language_model_file(models_dir, spec), RuntimeSettings(threads=threads)
            )
        return found


def answer_writer(settings: Settings, *, warm_up: bool = True) -> Writer | None:
    """The writer of model answers the settings ask for; with `warm_up`, a local model is loaded
    (and its instruction evaluated) in the background, so that the first question does not wait."""
    if settings.llm_url:
        return ModelServer(
            ModelSettings(
                url=settings.llm_url,
                model=settings.llm_model,
                timeout=settings.llm_timeout_seconds,
                api_key=settings.llm_api_key,
            )
        )
    if settings.language_model == "off":
        return None
    model = local_model(
        settings.language_model,
        settings.model_dir,
        settings.language_model_threads,
    )
    if warm_up:
        first = messages_for("What is this video about?", ())
        threading.Thread(
            target=model.warm_up, args=(first,), name="language-model-warm-up", daemon=True
        ).start()
    return model
