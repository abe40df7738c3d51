"""A tesseract engine that stays loaded: run as a child process by `tesseract.py`, never imported.

It loads libtesseract (the library the `tesseract` command uses) once through ctypes, with
`OMP_THREAD_LIMIT=1` set by its parent: in its own process, so the limit does not reach OpenMP
in the parent (where the language model may use it). Standard library only, so it starts in
milliseconds.

Protocol on stdin/stdout: the server writes `ready\\n` (or `error <message>\\n` and exits); then
for each request, a line `<width> <height> <psm> <thresholding method>\\n` followed by
width x height bytes of 8-bit grey pixels, it answers a line with the byte length of the TSV
text, then the text (tesseract's word rows, without the header).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from typing import BinaryIO


def _library() -> ctypes.CDLL:
    name = ctypes.util.find_library("tesseract") or "libtesseract.so.5"
    lib = ctypes.CDLL(name)
    handle = ctypes.c_void_p
    lib.TessBaseAPICreate.restype = handle
    lib.TessBaseAPIInit3.argtypes = [handle, ctypes.c_char_p, ctypes.c_char_p]
    lib.TessBaseAPISetVariable.argtypes = [handle, ctypes.c_char_p, ctypes.c_char_p]
    lib.TessBaseAPISetPageSegMode.argtypes = [handle, ctypes.c_int]
    size = ctypes.c_int
    lib.TessBaseAPISetImage.argtypes = [handle, ctypes.c_char_p, size, size, size, size]
    lib.TessBaseAPIGetTsvText.argtypes = [handle, ctypes.c_int]
    lib.TessBaseAPIGetTsvText.restype = ctypes.c_void_p
    lib.TessDeleteText.argtypes = [ctypes.c_void_p]
    lib.TessBaseAPIEnd.argtypes = [handle]
    lib.TessBaseAPIDelete.argtypes = [handle]
    return lib


def serve(language: str, stdin: BinaryIO, stdout: BinaryIO) -> int:
    try:
        lib = _library()
    except OSError as exc:
        stdout.write(f"error libtesseract cannot be loaded: {exc}\n".encode())
        stdout.flush()
        return 1
    api = lib.TessBaseAPICreate()
    if lib.TessBaseAPIInit3(api, None, language.encode()) != 0:
        stdout.write(f"error tesseract has no '{language}' language data\n".encode())
        stdout.flush()
        return 1
    lib.TessBaseAPISetVariable(api, b"debug_file", b"/dev/null")  # no "Estimating resolution" chatter
    stdout.write(b"ready\n")
    stdout.flush()
    try:
        while header := stdin.readline():
            width, height, psm, method = (int(v) for v in header.split())
            pixels = stdin.read(width * height)
            lib.TessBaseAPISetPageSegMode(api, psm)
            lib.TessBaseAPISetVariable(api, b"thresholding_method", str(method).encode())
            lib.TessBaseAPISetImage(api, pixels, width, height, 1, width)
            text = lib.TessBaseAPIGetTsvText(api, 0)
            tsv = ctypes.string_at(text) if text else b""
            if text:
                lib.TessDeleteText(text)
            stdout.write(b"%d\n" % len(tsv) + tsv)
            stdout.flush()
    finally:
        lib.TessBaseAPIEnd(api)
        lib.TessBaseAPIDelete(api)
    return 0


if __name__ == "__main__":
    sys.exit(serve(sys.argv[1] if len(sys.argv) > 1 else "eng", sys.stdin.buffer, sys.stdout.buffer))
