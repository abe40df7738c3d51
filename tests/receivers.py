"""Small real servers that tests start on 127.0.0.1: a webhook receiver and an SMTP sink."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import email
import email.policy
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from email.message import EmailMessage

from visionscope.runtime import EmbeddedRuntime

REASONS = {200: "OK", 204: "No Content", 500: "Internal Server Error", 503: "Service Unavailable"}


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes
    answered: int  # the status the receiver answered with


@dataclass
class WebhookReceiver:
    """An HTTP/1.1 server that records every request and answers ``status`` with ``reply``."""

    status: int = 200
    reply: bytes = b"thanks"
    requests: list[Received] = field(default_factory=list)
    port: int = 0
    _server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/visionscope"

    async def start(self) -> None:
        """Listen (again) on the same port; the first start picks a free one."""
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop listening: senders now get 'connection refused'."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, path, _ = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    name, value = line.split(":", 1)
                    headers[name.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            self.requests.append(Received(method, path, headers, body, self.status))
            reason = REASONS.get(self.status, "Whatever")
            writer.write(
                f"HTTP/1.1 {self.status} {reason}\r\nContent-Type: text/plain\r\n"
                f"Content-Length: {len(self.reply)}\r\nConnection: close\r\n\r\n".encode()
                + self.reply
            )
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()


@dataclass
class Mail:
    sender: str
    recipients: list[str]
    message: EmailMessage


@dataclass
class SmtpSink:
    """Enough of an SMTP server for smtplib: EHLO, AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT."""

    mails: list[Mail] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)
    port: int = 0
    _server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        def say(line: str) -> None:
            writer.write(line.encode() + b"\r\n")

        sender, recipients = "", []
        say("220 sink.test ESMTP")
        try:
            while True:
                await writer.drain()
                raw = await reader.readline()
                if not raw:
                    return
                line = raw.decode().rstrip("\r\n")
                verb = line.split(" ", 1)[0].upper()
                if verb == "EHLO":
                    say("250-sink.test")
                    say("250-AUTH PLAIN")
                    say("250 8BITMIME")
                elif verb == "AUTH" and line.upper().startswith("AUTH PLAIN "):
                    _, user, password = base64.b64decode(line.split(" ", 2)[2]).decode().split("\0")
                    self.logins.append((user, password))
                    say("235 2.7.0 Authentication successful")
                elif verb == "MAIL":
                    sender, recipients = line.split(":", 1)[1].split()[0].strip("<>"), []
                    say("250 OK")
                elif verb == "RCPT":
                    recipients.append(line.split(":", 1)[1].strip().strip("<>"))
                    say("250 OK")
                elif verb == "DATA":
                    say("354 End data with <CR><LF>.<CR><LF>")
                    await writer.drain()
                    data = bytearray()
                    while (chunk := await reader.readline()) not in (b".\r\n", b""):
                        data.extend(chunk[1:] if chunk.startswith(b"..") else chunk)
                    parsed = email.message_from_bytes(bytes(data), policy=email.policy.default)
                    assert isinstance(parsed, EmailMessage)
                    self.mails.append(Mail(sender, recipients, parsed))
                    say("250 OK: queued")
                elif verb in ("HELO", "RSET", "NOOP"):
                    say("250 OK")
                elif verb == "QUIT":
                    say("221 Bye")
                    await writer.drain()
                    return
                else:
                    say("502 Command not implemented")
        except ConnectionError:
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()


async def wait_until(
    condition: Callable[[], Awaitable[bool]], *, seconds: float = 60.0, step: float = 0.05
) -> None:
    """Poll ``condition()`` until it is true; fail after a generous bound (not a timing assertion)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        if await condition():
            return
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {seconds} s")
        await asyncio.sleep(step)


async def settle_until(
    runtime: EmbeddedRuntime, condition: Callable[[], Awaitable[bool]], *, seconds: float = 60.0
) -> None:
    """Let the runtime handle what is pending until ``condition()`` holds.

    One ``settle()`` can return while the background relay still holds events it has just
    claimed (an event that a consumer recorded, like NoticeCreated); so tests wait for the
    outcome they expect rather than for one settle.
    """

    async def settled() -> bool:
        await runtime.settle()
        return await condition()

    await wait_until(settled, seconds=seconds)
