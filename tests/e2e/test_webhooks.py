"""Webhooks through HTTP: a real receiver on 127.0.0.1 gets signed deliveries, retried and replayed."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tests.helpers import Account, add_member, register, workspace
from tests.receivers import WebhookReceiver, settle_until, wait_until
from visionscope.bootstrap import Container, build_container
from visionscope.building_blocks.outbox import OutboxMessage
from visionscope.config import Settings
from visionscope.features.notifications.signing import verify_signature
from visionscope.jobs import send_webhooks
from visionscope.runtime import EmbeddedRuntime

FAST_RETRIES = {
    "webhooks_allow_private": True,  # the receiver listens on 127.0.0.1
    "webhook_retry_base_seconds": 0.05,
    "webhook_retry_max_seconds": 0.2,
    "webhook_max_attempts": 100,
    "webhook_disable_after_failures": 1000,
}


@pytest.fixture
def settings_update() -> dict[str, Any]:
    return {}


@pytest.fixture
def settings(settings: Settings, settings_update: dict[str, Any]) -> Settings:
    return settings.model_copy(update={**FAST_RETRIES, **settings_update})


@pytest.fixture
async def receiver() -> AsyncIterator[WebhookReceiver]:
    server = WebhookReceiver()
    await server.start()
    yield server
    await server.stop()


async def create_hook(
    client: httpx.AsyncClient, ws: dict[str, Any], admin: Account, url: str, events: list[str] | None = None
) -> dict[str, Any]:
    response = await client.post(
        f"/v1/workspaces/{ws['id']}/webhooks",
        json={"url": url, "events": events or ["collaborator.added"]},
        headers=admin.headers,
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def deliveries(
    client: httpx.AsyncClient, ws: dict[str, Any], hook: dict[str, Any], admin: Account
) -> list[dict[str, Any]]:
    response = await client.get(
        f"/v1/workspaces/{ws['id']}/webhooks/{hook['id']}/deliveries", headers=admin.headers
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def hooks(client: httpx.AsyncClient, ws: dict[str, Any], admin: Account) -> list[dict[str, Any]]:
    response = await client.get(f"/v1/workspaces/{ws['id']}/webhooks", headers=admin.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def work(container: Container, runtime: EmbeddedRuntime) -> None:
    """One round of what the product does in the background: relay and consume events, send webhooks."""
    await runtime.settle()
    await send_webhooks(container, runtime.broker)


def signed_bodies(receiver: WebhookReceiver, secret: str) -> dict[str, dict[str, Any]]:
    """Every request checked against its signature; the accepted ones by delivery id, each once."""
    by_delivery: dict[str, dict[str, Any]] = {}
    for request in receiver.requests:
        assert request.method == "POST" and request.path == "/hooks/visionscope"
        assert request.headers["content-type"] == "application/json"
        header = request.headers["visionscope-signature"]
        assert verify_signature(secret, header, request.body, now=int(time.time())), header
        assert not verify_signature("whsec_wrong", header, request.body, now=int(time.time()))
        delivery_id = request.headers["visionscope-delivery"]
        if request.answered >= 300:
            continue  # refused by the receiver: it is sent again, with the same delivery id
        assert delivery_id not in by_delivery, f"delivery {delivery_id} arrived twice"
        by_delivery[delivery_id] = json.loads(request.body)
    return by_delivery


async def test_every_event_arrives_once_per_delivery_signed_after_the_receiver_was_down(
    client: httpx.AsyncClient, container: Container, runtime: EmbeddedRuntime, receiver: WebhookReceiver
) -> None:
    owner = await register(client, "Owner")
    ws = await workspace(client, owner)
    await receiver.stop()  # down before the first event
    hook = await create_hook(client, ws, owner, receiver.url)
    assert hook["secret"].startswith("whsec_") and hook["events"] == ["collaborator.added"]
    members = [await register(client, f"Member{i}") for i in range(3)]
    for member in members:
        await add_member(client, ws, owner, member, "editor")

    async def each_failed_twice() -> bool:
        await work(container, runtime)
        found = await deliveries(client, ws, hook, owner)
        return len(found) == 3 and all(d["attempts"] >= 2 for d in found)

    await wait_until(each_failed_twice)
    for delivery in await deliveries(client, ws, hook, owner):
        assert delivery["status"] == "pending" and delivery["next_attempt_at"] is not None
        assert all(a["status_code"] is None and a["error"] for a in delivery["attempt_log"])
    assert receiver.requests == []

    await receiver.start()  # back, on the same port

    async def all_delivered() -> bool:
        await work(container, runtime)
        return all(d["status"] == "delivered" for d in await deliveries(client, ws, hook, owner))

    await wait_until(all_delivered)
    final = await deliveries(client, ws, hook, owner)
    bodies = signed_bodies(receiver, hook["secret"])
    assert set(bodies) == {d["id"] for d in final}
    async with container.read_sessions() as session:
        event_ids = set(
            await session.scalars(
                select(OutboxMessage.event_id).where(OutboxMessage.type == "CollaboratorAdded")
            )
        )
    assert {body["id"] for body in bodies.values()} == {str(e) for e in event_ids}
    assert {d["event_id"] for d in final} == {str(e) for e in event_ids}
    for body in bodies.values():
        assert set(body) == {"id", "type", "created_at", "workspace_id", "data"}
        assert body["type"] == "collaborator.added" and body["workspace_id"] == ws["id"]
        assert body["data"]["role"] == "editor" and body["data"]["invited_by"] == owner.id
        assert body["created_at"].endswith("Z")
    assert {body["data"]["user_id"] for body in bodies.values()} == {m.id for m in members}
    for delivery in final:
        log = delivery["attempt_log"]
        assert [a["number"] for a in log] == list(range(1, len(log) + 1)) and len(log) >= 3
        assert log[-1]["status_code"] == 200 and log[-1]["response_body"] == "thanks"
        assert delivery["last_status_code"] == 200 and delivery["delivered_at"] is not None
    assert all(h["consecutive_failures"] == 0 for h in await hooks(client, ws, owner))


async def test_a_replay_is_a_new_delivery_of_the_same_event(
    client: httpx.AsyncClient, container: Container, runtime: EmbeddedRuntime, receiver: WebhookReceiver
) -> None:
    owner, member = await register(client, "Owner"), await register(client, "Member")
    ws = await workspace(client, owner)
    hook = await create_hook(client, ws, owner, receiver.url)
    await add_member(client, ws, owner, member, "viewer")

    async def delivered(count: int) -> bool:
        await work(container, runtime)
        found = await deliveries(client, ws, hook, owner)
        return len(found) == count and all(d["status"] == "delivered" for d in found)

    await wait_until(lambda: delivered(1))
    original = (await deliveries(client, ws, hook, owner))[0]
    response = await client.post(
        f"/v1/workspaces/{ws['id']}/webhooks/{hook['id']}/deliveries/{original['id']}/replay",
        headers=owner.headers,
    )
    assert response.status_code == 202, response.text
    replay = response.json()
    assert replay["id"] != original["id"] and replay["event_id"] == original["event_id"]
    assert replay["replay_of"] == original["id"] and replay["status"] == "pending"
    await wait_until(lambda: delivered(2))
    bodies = signed_bodies(receiver, hook["secret"])
    assert set(bodies) == {original["id"], replay["id"]}
    assert bodies[original["id"]] == bodies[replay["id"]]
    assert bodies[replay["id"]]["id"] == original["event_id"]
    assert receiver.requests[0].body == receiver.requests[1].body


@pytest.mark.parametrize("settings_update", [{"webhook_disable_after_failures": 3}])
async def test_an_endpoint_failing_again_and_again_is_disabled_with_a_notice(
    client: httpx.AsyncClient, container: Container, runtime: EmbeddedRuntime, receiver: WebhookReceiver
) -> None:
    receiver.status, receiver.reply = 500, b"boom " * 1000
    owner, admin, member = [await register(client, n) for n in ("Owner", "Admin", "Member")]
    ws = await workspace(client, owner)
    await add_member(client, ws, owner, admin, "admin")
    hook = await create_hook(client, ws, admin, receiver.url)
    await add_member(client, ws, owner, member, "viewer")

    async def disabled() -> bool:
        await work(container, runtime)
        return (await hooks(client, ws, owner))[0]["disabled_at"] is not None

    await wait_until(disabled)
    state = (await hooks(client, ws, owner))[0]
    assert state["consecutive_failures"] == 3 and "3 failed attempts" in state["disabled_reason"]
    [delivery] = await deliveries(client, ws, hook, owner)
    assert (
        delivery["status"] == "failed" and delivery["attempts"] == 3 and delivery["next_attempt_at"] is None
    )
    for attempt in delivery["attempt_log"]:
        assert attempt["status_code"] == 500 and attempt["error"] is None
        assert attempt["response_body"] == ("boom " * 1000)[:1000]
    assert len(receiver.requests) == 3

    async def managers_told() -> bool:
        for manager in (owner, admin):
            items = (await client.get("/v1/notifications", headers=manager.headers)).json()["items"]
            if not any(n["kind"] == "webhook.disabled" for n in items):
                return False
        return True

    await settle_until(runtime, managers_told)
    for manager in (owner, admin):
        notices = (await client.get("/v1/notifications", headers=manager.headers)).json()["items"]
        [notice] = [n for n in notices if n["kind"] == "webhook.disabled"]
        assert notice["title"] == "A webhook of workspace Studio was disabled"
        assert "127.0.0.1" in notice["body"] and notice["data"]["endpoint_id"] == hook["id"]
    viewer_notices = (await client.get("/v1/notifications", headers=member.headers)).json()["items"]
    assert all(n["kind"] != "webhook.disabled" for n in viewer_notices)

    # A disabled endpoint gets no new deliveries, and cannot replay until enabled.
    await add_member(client, ws, owner, await register(client, "Late"), "viewer")
    await work(container, runtime)
    assert len(await deliveries(client, ws, hook, owner)) == 1
    replay_url = f"/v1/workspaces/{ws['id']}/webhooks/{hook['id']}/deliveries/{delivery['id']}/replay"
    refused = await client.post(replay_url, headers=owner.headers)
    assert refused.status_code == 409, refused.text

    receiver.status, receiver.reply = 200, b"fixed"
    enabled = await client.post(
        f"/v1/workspaces/{ws['id']}/webhooks/{hook['id']}/enable", headers=admin.headers
    )
    assert enabled.status_code == 200 and enabled.json()["disabled_at"] is None
    assert (await client.post(replay_url, headers=owner.headers)).status_code == 202

    async def replayed() -> bool:
        await work(container, runtime)
        return any(d["status"] == "delivered" for d in await deliveries(client, ws, hook, owner))

    await wait_until(replayed)
    accepted = signed_bodies(receiver, hook["secret"])
    assert len(receiver.requests) == 4 and len(accepted) == 1
    assert [r.headers["visionscope-delivery"] for r in receiver.requests[:3]] == [delivery["id"]] * 3
    assert next(iter(accepted.values()))["id"] == delivery["event_id"]


@pytest.mark.parametrize("settings_update", [{"webhooks_allow_private": False}])
async def test_private_and_odd_urls_are_refused_without_the_setting(client: httpx.AsyncClient) -> None:
    owner = await register(client, "Owner")
    ws = await workspace(client, owner)
    refused = [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://172.16.5.4/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://100.64.0.1/hook",
        "http://0.0.0.0/hook",
        "http://[::1]/hook",
        "http://[fe80::1]/hook",
        "http://[fd00::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://224.0.0.1/hook",
        "ftp://hooks.example.com/hook",
        "file:///etc/passwd",
        "https://user:pass@hooks.example.com/hook",
        "not a url",
    ]
    for url in refused:
        response = await client.post(
            f"/v1/workspaces/{ws['id']}/webhooks",
            json={"url": url, "events": ["video.ready"]},
            headers=owner.headers,
        )
        assert response.status_code == 422, f"{url}: {response.status_code} {response.text}"
        assert response.json()["errors"][0]["field"] == "url"
    unknown = await client.post(
        f"/v1/workspaces/{ws['id']}/webhooks",
        json={"url": "https://hooks.example.com/h", "events": ["video.ready", "video.exploded"]},
        headers=owner.headers,
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"].startswith("events")
    assert (await hooks(client, ws, owner)) == []


async def test_a_private_address_is_refused_again_at_send_time(
    client: httpx.AsyncClient, settings: Settings, receiver: WebhookReceiver
) -> None:
    """An endpoint that passed the check (here: while allowed) is checked again before each send."""
    owner = await register(client, "Owner")
    ws = await workspace(client, owner)
    hook = await create_hook(client, ws, owner, receiver.url.replace("127.0.0.1", "localhost"))
    await add_member(client, ws, owner, await register(client, "Member"), "editor")
    strict = build_container(settings.model_copy(update={"webhooks_allow_private": False}))
    strict_runtime = EmbeddedRuntime(strict)
    await strict_runtime.start()
    try:

        async def attempted() -> bool:
            await strict_runtime.settle()
            await send_webhooks(strict, strict_runtime.broker)
            found = await deliveries(client, ws, hook, owner)
            return len(found) == 1 and found[0]["attempts"] >= 1

        await wait_until(attempted)
    finally:
        await strict_runtime.stop()
        await strict.dispose()
    [delivery] = await deliveries(client, ws, hook, owner)
    assert delivery["status"] == "pending" and delivery["attempts"] >= 1
    assert all(a["error"].startswith("refused:") for a in delivery["attempt_log"])
    assert receiver.requests == []


async def test_only_admins_manage_webhooks_and_other_workspaces_hooks_are_not_found(
    client: httpx.AsyncClient, receiver: WebhookReceiver
) -> None:
    owner, viewer, editor, outsider = [
        await register(client, n) for n in ("Owner", "Viewer", "Editor", "Outsider")
    ]
    ws, other = await workspace(client, owner), await workspace(client, outsider)
    await add_member(client, ws, owner, viewer, "viewer")
    await add_member(client, ws, owner, editor, "editor")
    hook = await create_hook(client, ws, owner, receiver.url)
    theirs = await create_hook(client, other, outsider, receiver.url)
    base = f"/v1/workspaces/{ws['id']}/webhooks"
    calls = [
        ("POST", base, {"url": receiver.url, "events": ["credits.low"]}),
        ("GET", base, None),
        ("DELETE", f"{base}/{hook['id']}", None),
        ("GET", f"{base}/{hook['id']}/deliveries", None),
        ("POST", f"{base}/{hook['id']}/enable", None),
    ]
    for caller in (viewer, editor):
        for method, url, body in calls:
            response = await client.request(method, url, json=body, headers=caller.headers)
            assert response.status_code == 403, f"{method} {url}: {response.status_code}"
    for method, url in (
        ("DELETE", f"{base}/{theirs['id']}"),
        ("GET", f"{base}/{theirs['id']}/deliveries"),
        ("POST", f"{base}/{theirs['id']}/enable"),
        ("GET", f"/v1/workspaces/{other['id']}/webhooks/{hook['id']}/deliveries"),
    ):
        response = await client.request(method, url, headers=owner.headers)
        assert response.status_code == 404, f"{method} {url}: {response.status_code}"
    listed = await hooks(client, ws, owner)
    assert [h["id"] for h in listed] == [hook["id"]] and "secret" not in listed[0]
    assert (await client.delete(f"{base}/{hook['id']}", headers=owner.headers)).status_code == 204
    assert (await client.get(f"{base}/{hook['id']}/deliveries", headers=owner.headers)).status_code == 404
    assert await hooks(client, ws, owner) == []


async def test_a_webhook_only_gets_the_event_types_it_chose(
    client: httpx.AsyncClient, container: Container, runtime: EmbeddedRuntime, receiver: WebhookReceiver
) -> None:
    owner = await register(client, "Owner")
    ws = await workspace(client, owner)
    wanted = await create_hook(client, ws, owner, receiver.url, ["collaborator.added"])
    other = await create_hook(client, ws, owner, receiver.url, ["video.ready", "credits.low"])
    await add_member(client, ws, owner, await register(client, "Member"), "editor")

    async def enqueued() -> bool:
        await work(container, runtime)
        return len(await deliveries(client, ws, wanted, owner)) == 1

    await wait_until(enqueued)
    await runtime.settle()
    assert await deliveries(client, ws, other, owner) == []
