"""Streaming multipart uploads: file parts go to disk chunk by chunk, with a size cap per field.

Nothing is held whole in memory; a part over its cap stops the upload with 413 while it is
still arriving, and every file written so far is removed.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect

from visionscope.building_blocks.errors import InvalidInput, TooLarge


@dataclass
class ReceivedFile:
    """A file part written to ``path``. ``filename`` is what the client called it: metadata only."""

    form_field: str
    filename: str
    path: Path
    size: int = 0
    sha256: str = ""
    _hash: Any = dataclasses.field(default_factory=hashlib.sha256, repr=False)


class _Receiver:
    def __init__(self, directory: Path, caps: Mapping[str, int]) -> None:
        self.directory = directory
        self.caps = caps
        self.files: dict[str, ReceivedFile] = {}
        self.current: ReceivedFile | None = None
        self.handle: IO[bytes] | None = None
        self.header_field = b""
        self.headers: dict[bytes, bytes] = {}
        self.finished = False
        self.error: Exception | None = None

    def on_part_begin(self) -> None:
        self.headers = {}

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        name = self.header_field.lower()
        self.headers[name] = self.headers.get(name, b"") + data[start:end]

    def on_header_end(self) -> None:
        self.header_field = b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self.headers.get(b"content-disposition", b""))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        if filename is None or name not in self.caps or name in self.files:
            self.current = None  # plain fields, unknown fields and repeats are ignored
            return
        path = self.directory / f"upload-{name}"
        self.current = ReceivedFile(form_field=name, filename=filename.decode("utf-8", "replace"), path=path)
        self.files[name] = self.current
        self.handle = path.open("wb")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.current is None or self.handle is None:
            return
        chunk = data[start:end]
        self.current.size += len(chunk)
        cap = self.caps[self.current.form_field]
        if self.current.size > cap:
            raise TooLarge(
                f"The {self.current.form_field} file is larger than the limit of {cap} bytes.",
                limit=cap,
                field=self.current.form_field,
            )
        self.current._hash.update(chunk)
        self.handle.write(chunk)

    def on_part_end(self) -> None:
        if self.current is not None and self.handle is not None:
            self.handle.close()
            self.handle = None
            self.current.sha256 = self.current._hash.hexdigest()
        self.current = None

    def on_end(self) -> None:
        self.finished = True

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None

    def discard(self) -> None:
        self.close()
        for received in self.files.values():
            received.path.unlink(missing_ok=True)


def boundary_of(content_type: str) -> bytes:
    kind, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise InvalidInput(
            "Send the file as multipart/form-data.",
            errors=[{"field": "file", "message": "expected a multipart/form-data body"}],
        )
    return boundary


async def receive_files(
    content_type: str, chunks: AsyncIterator[bytes], directory: Path, caps: Mapping[str, int]
) -> dict[str, ReceivedFile]:
    """Write the file parts named in ``caps`` into ``directory``; ``caps`` gives each its byte limit."""
    receiver = _Receiver(directory, caps)
    parser = MultipartParser(
        boundary_of(content_type),
        callbacks={  # type: ignore[arg-type]
            name: getattr(receiver, name)
            for name in (
                "on_part_begin",
                "on_header_field",
                "on_header_value",
                "on_header_end",
                "on_headers_finished",
                "on_part_data",
                "on_part_end",
                "on_end",
            )
        },
    )
    directory.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - one quick local call
    try:
        async for chunk in chunks:
            parser.write(chunk)
        parser.finalize()
        if not receiver.finished:
            raise InvalidInput("The upload was cut off before it ended; nothing was kept.")
    except ClientDisconnect:
        receiver.discard()
        raise InvalidInput("The upload was cut off before it ended; nothing was kept.") from None
    except TooLarge:
        receiver.discard()
        raise
    except InvalidInput:
        receiver.discard()
        raise
    except Exception as err:  # the multipart parser's own errors: a malformed body
        receiver.discard()
        raise InvalidInput(f"The multipart body is malformed: {err}") from None
    finally:
        receiver.close()
    return receiver.files
