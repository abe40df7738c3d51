"""The sentence embedder the answer engine searches with, loaded on first use."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from visionscope.analysis import Embedder, ModelMissing, embedder_files, load_embedder

log = logging.getLogger("visionscope.answers")


class EmbedderSource:
    """The sentence embedder, loaded on first use; None (lexical search only) when it is missing."""

    def __init__(self, models_dir: Path) -> None:
        self._models_dir = models_dir
        self._lock = threading.Lock()
        self._loaded = False
        self._embedder: Embedder | None = None

    def __call__(self) -> Embedder | None:
        with self._lock:
            if not self._loaded:
                try:
                    files = embedder_files(self._models_dir)
                    self._embedder = load_embedder(str(files.onnx), str(files.tokenizer))
                except ModelMissing as err:
                    log.warning("no embedding model: answers search by words only", extra={"error": str(err)})
                self._loaded = True
            return self._embedder
