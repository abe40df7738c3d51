"""Sentence embeddings with all-MiniLM-L6-v2 (int8 ONNX) through onnxruntime; no torch."""

from __future__ import annotations

import functools
import os
from pathlib import Path

import numpy as np
import numpy.typing as npt

from .model_files import EmbedderFiles

F32 = npt.NDArray[np.float32]
#: Dimensions of all-MiniLM-L6-v2 vectors.
DIMENSIONS = 384
MODEL_ID = "all-MiniLM-L6-v2-int8"
_MAX_TOKENS = 256
_CACHE_SIZE = 20_000


class Embedder:
    """Turns sentences into L2-normalised 384-d vectors (mean of token vectors over the attention mask)."""

    def __init__(self, files: EmbedderFiles, *, threads: int = 0) -> None:
        import onnxruntime as ort  # type: ignore[import-untyped]  # heavy: imported only when embedding
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(files.tokenizer))
        self.tokenizer.enable_truncation(max_length=_MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # noqa: S106 - a token, not a password
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads or os.cpu_count() or 2
        so.inter_op_num_threads = 1
        # threads sleep between batches instead of spinning: spinning burns CPU the other
        # stages (and other processes on the machine) could use
        so.add_session_config_entry("session.intra_op.allow_spinning", "0")
        so.log_severity_level = 3
        self.session = ort.InferenceSession(
            str(files.onnx), sess_options=so, providers=["CPUExecutionProvider"]
        )
        self._inputs = {i.name for i in self.session.get_inputs()}
        self._cache: dict[str, F32] = {}

    def embed(self, texts: list[str], *, batch_size: int = 32) -> F32:
        """One row per text. Recent texts' vectors are remembered (the chapters stage asks again
        for texts the index stage just embedded)."""
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        todo = sorted({t for t in texts if t not in self._cache}, key=len)  # similar lengths pad less
        for b in range(0, len(todo), batch_size):
            batch = todo[b : b + batch_size]
            for text, vector in zip(batch, self._run(batch), strict=True):
                if len(self._cache) >= _CACHE_SIZE:
                    self._cache.clear()
                self._cache[text] = vector
        for i, text in enumerate(texts):
            out[i] = self._cache[text] if text in self._cache else self._run([text])[0]
        return out

    def _run(self, batch: list[str]) -> F32:
        enc = self.tokenizer.encode_batch(batch)
        ids = np.array([e.ids for e in enc], dtype=np.int64)
        mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        (hidden,) = self.session.run(["last_hidden_state"], feeds)
        m = mask[:, :, None].astype(np.float32)
        pooled = (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        vectors: F32 = (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
        return vectors


@functools.lru_cache(maxsize=2)
def load_embedder(onnx: str, tokenizer: str) -> Embedder:
    """A shared embedder for these files (loading takes a fraction of a second; keep one)."""
    return Embedder(EmbedderFiles(onnx=Path(onnx), tokenizer=Path(tokenizer)))
