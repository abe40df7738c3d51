"""Tesseract kept loaded in a child process, fed grey pixels, answering TSV.

Running the `tesseract` command once per batch of pictures paid its start-up (loading the
English model, ~0.1 s of CPU) every few keyframes, and a round trip through picture files.
`TesseractEngine` starts `tesseract_server.py` once (libtesseract through ctypes, with
OpenMP held to one thread: tesseract's own threads only cost CPU time on a busy machine) and
sends it pictures over a pipe; its answers are the same rows the command writes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import IO

import numpy as np
import numpy.typing as npt

from .errors import ModelMissing

TSV_HEADER = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
_SERVER = Path(__file__).with_name("tesseract_server.py")
_HINT = "Install the Debian package tesseract-ocr (it brings libtesseract)"


class TesseractEngine:
    """One tesseract process; not for concurrent use (give each thread its own)."""

    def __init__(self, language: str = "eng") -> None:
        self._proc = subprocess.Popen(  # noqa: S603 - this interpreter and the server file
            [sys.executable, "-I", str(_SERVER), language],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=dict(os.environ, OMP_THREAD_LIMIT="1"),
        )
        first = self._out.readline().decode(errors="replace").strip()
        if first != "ready":
            self.close()
            raise ModelMissing(first.removeprefix("error ") or "tesseract did not start", _HINT)

    @property
    def _in(self) -> IO[bytes]:
        assert self._proc.stdin is not None
        return self._proc.stdin

    @property
    def _out(self) -> IO[bytes]:
        assert self._proc.stdout is not None
        return self._proc.stdout

    def read(self, grey: npt.NDArray[np.uint8], *, psm: int = 11, local_threshold: bool = False) -> str:
        """Tesseract's TSV (with its header line) for an 8-bit grey picture."""
        pixels = np.ascontiguousarray(grey, dtype=np.uint8)
        height, width = pixels.shape
        method = 2 if local_threshold else 0  # 2: Sauvola
        try:
            self._in.write(b"%d %d %d %d\n" % (width, height, psm, method))
            self._in.write(pixels.tobytes())
            self._in.flush()
            size = int(self._out.readline())
            tsv = self._out.read(size).decode("utf-8", errors="replace")
        except (OSError, ValueError) as exc:
            raise ModelMissing(f"tesseract stopped: {exc}", _HINT) from exc
        return TSV_HEADER + tsv

    def close(self) -> None:
        if self._proc.poll() is None:
            try:
                self._in.close()
                self._proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self._proc.kill()
                self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()

    def __enter__(self) -> TesseractEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
