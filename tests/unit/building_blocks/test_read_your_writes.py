"""Where reads go with a read replica: the ReadYourWrites middleware around a small ASGI app."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.types import Message, Receive, Scope, Send

from visionscope.building_blocks.messages import Event, UserActor
from visionscope.building_blocks.read_your_writes import (
    BackgroundChanges,
    ReadYourWrites,
    RecentWriters,
    SeesBackgroundChanges,
    client_keys,
    note_write,
    reads_replica,
)

SCOPE: Scope = {
    "type": "http",
    "method": "GET",
    "path": "/",
    "headers": [(b"authorization", b"Bearer t")],
    "client": ("10.0.0.1", 4000),
}


async def receive() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


def app_that(step: Callable[[Send, list[bool]], Awaitable[None]], seen: list[bool]) -> Any:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await step(send, seen)

    return app


async def respond(send: Send, body: bytes = b"", *, more: bool = False) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body, "more_body": more})


async def read_write_read(send: Send, seen: list[bool]) -> None:
    seen.append(reads_replica())
    note_write()
    seen.append(reads_replica())
    await respond(send)


async def just_read(send: Send, seen: list[bool]) -> None:
    seen.append(reads_replica())
    await respond(send)


async def test_outside_a_request_everything_reads_the_primary() -> None:
    assert reads_replica() is False
    note_write()  # no request: nothing to note, nothing fails
    assert reads_replica() is False


async def test_a_request_reads_the_replica_until_it_writes_and_its_client_then_reads_the_primary() -> None:
    writers = RecentWriters(None, window=10)
    seen: list[bool] = []
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    await ReadYourWrites(app_that(read_write_read, seen), writers)(SCOPE, receive, send)
    assert seen == [True, False]
    assert reads_replica() is False  # the request's state does not outlive it
    await ReadYourWrites(app_that(just_read, seen), writers)(SCOPE, receive, send)
    assert seen[-1] is False
    other = {**SCOPE, "headers": [(b"authorization", b"Bearer other")], "client": ("10.0.0.2", 4000)}
    await ReadYourWrites(app_that(just_read, seen), writers)(other, receive, send)
    assert seen[-1] is True


async def test_a_request_meant_to_change_something_reads_the_primary_throughout() -> None:
    writers = RecentWriters(None, window=10)
    seen: list[bool] = []

    async def send(message: Message) -> None:
        return None

    for method in ("POST", "PUT", "PATCH", "DELETE"):
        await ReadYourWrites(app_that(just_read, seen), writers)({**SCOPE, "method": method}, receive, send)
    assert seen == [False] * 4
    assert not await writers.any_recent(client_keys(SCOPE))  # nothing committed: nothing noted


async def test_the_write_is_noted_before_the_response_starts() -> None:
    writers = RecentWriters(None, window=10)
    noted_at_start: list[bool] = []

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            noted_at_start.append(await writers.any_recent(client_keys(SCOPE)))

    await ReadYourWrites(app_that(read_write_read, []), writers)(SCOPE, receive, send)
    assert noted_at_start == [True]


async def test_a_write_while_the_response_streams_is_noted_when_the_request_ends() -> None:
    writers = RecentWriters(None, window=10)

    async def stream_then_write(send: Send, seen: list[bool]) -> None:
        await respond(send, b"part", more=True)
        note_write()
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def send(message: Message) -> None:
        return None

    await ReadYourWrites(app_that(stream_then_write, []), writers)(SCOPE, receive, send)
    assert await writers.any_recent(client_keys(SCOPE))


async def test_when_recent_writers_are_unknown_the_request_reads_the_primary() -> None:
    class Broken(RecentWriters):
        async def any_recent(self, keys: Any) -> bool:
            raise ConnectionError("redis is down")

    seen: list[bool] = []

    async def send(message: Message) -> None:
        return None

    await ReadYourWrites(app_that(just_read, seen), Broken(None, window=10))(SCOPE, receive, send)
    assert seen == [False]


@dataclass(frozen=True, kw_only=True)
class Changed(Event):
    workspace_id: uuid.UUID


async def test_a_workspace_changed_in_the_background_is_read_on_the_primary_by_the_next_requests() -> None:
    writers = RecentWriters(None, window=10)
    changed, untouched = uuid.uuid4(), uuid.uuid4()
    await BackgroundChanges(writers)([Changed(workspace_id=changed)])  # a consumer's commit
    seen: list[bool] = []

    def addressing(workspace_id: uuid.UUID) -> Callable[[Send, list[bool]], Awaitable[None]]:
        async def step(send: Send, seen: list[bool]) -> None:
            seen.append(reads_replica())
            await SeesBackgroundChanges(writers)(workspace_id, None)
            seen.append(reads_replica())
            await respond(send)

        return step

    async def send(message: Message) -> None:
        return None

    await ReadYourWrites(app_that(addressing(changed), seen), writers)(SCOPE, receive, send)
    await ReadYourWrites(app_that(addressing(untouched), seen), writers)(SCOPE, receive, send)
    assert seen == [True, False, True, True]


@dataclass(frozen=True, kw_only=True)
class Told(Event):
    aggregate_field = "user_id"
    user_id: uuid.UUID


async def test_a_user_something_was_made_for_in_the_background_reads_the_primary() -> None:
    writers = RecentWriters(None, window=10)
    told, other = uuid.uuid4(), uuid.uuid4()
    await BackgroundChanges(writers)([Told(user_id=told)])  # a notice made by a consumer
    seen: list[bool] = []

    def asked_by(user_id: uuid.UUID) -> Callable[[Send, list[bool]], Awaitable[None]]:
        async def step(send: Send, seen: list[bool]) -> None:
            await SeesBackgroundChanges(writers)(None, UserActor(user_id))
            seen.append(reads_replica())
            await respond(send)

        return step

    async def send(message: Message) -> None:
        return None

    await ReadYourWrites(app_that(asked_by(told), seen), writers)(SCOPE, receive, send)
    await ReadYourWrites(app_that(asked_by(other), seen), writers)(SCOPE, receive, send)
    assert seen == [False, True]


async def test_a_requests_commit_is_noted_under_its_client_not_its_workspace() -> None:
    writers = RecentWriters(None, window=10)
    workspace = uuid.uuid4()

    async def commit_in_request(send: Send, seen: list[bool]) -> None:
        note_write()
        await BackgroundChanges(writers)([Changed(workspace_id=workspace)])
        await respond(send)

    async def send(message: Message) -> None:
        return None

    await ReadYourWrites(app_that(commit_in_request, []), writers)(SCOPE, receive, send)
    assert await writers.any_recent(client_keys(SCOPE))
    assert not await writers.any_recent([f"workspace:{workspace}"])
