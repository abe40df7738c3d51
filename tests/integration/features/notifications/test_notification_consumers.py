"""The notifications consumers on a real database: exactly once, and only for endpoints that existed."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from tests.helpers import add_member, register, workspace
from visionscope.bootstrap import Container
from visionscope.building_blocks.outbox import OutboxMessage, envelope_of
from visionscope.config import Settings
from visionscope.features.notifications.models import Notice, WebhookDelivery, WebhookEndpoint


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"webhooks_allow_private": True})


async def count(container: Container, model: Any, *where: Any) -> int:
    async with container.read_sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def outbox_row(container: Container, event_type: str) -> OutboxMessage:
    async with container.read_sessions() as session:
        row = await session.scalar(
            select(OutboxMessage)
            .where(OutboxMessage.type == event_type)
            .order_by(OutboxMessage.position.desc())
        )
    assert row is not None
    return row


async def test_a_repeated_delivery_makes_one_notice_and_one_webhook_delivery(
    client: httpx.AsyncClient, container: Container
) -> None:
    owner, member = await register(client, "Owner"), await register(client, "Member")
    ws = await workspace(client, owner)
    hook = await client.post(
        f"/v1/workspaces/{ws['id']}/webhooks",
        json={"url": "http://127.0.0.1:9/hook", "events": ["collaborator.added"]},
        headers=owner.headers,
    )
    assert hook.status_code == 201, hook.text
    await add_member(client, ws, owner, member, "editor")
    envelope = envelope_of(await outbox_row(container, "CollaboratorAdded"))
    assert await container.consumer.consume(envelope, "notifications") == 2  # notice + webhook
    assert await container.consumer.consume(envelope, "notifications") == 0
    assert await count(container, Notice) == 1
    assert await count(container, WebhookDelivery) == 1
    assert await count(container, OutboxMessage, OutboxMessage.type == "NoticeCreated") == 1
    notice_created = envelope_of(await outbox_row(container, "NoticeCreated"))
    assert notice_created["payload"]["kind"] == "collaborator.added"
    assert notice_created["payload"]["user_id"] == member.id


async def test_an_endpoint_created_after_the_event_does_not_get_it(
    client: httpx.AsyncClient, container: Container
) -> None:
    owner, member = await register(client, "Owner"), await register(client, "Member")
    ws = await workspace(client, owner)
    await add_member(client, ws, owner, member, "editor")
    late = await client.post(
        f"/v1/workspaces/{ws['id']}/webhooks",
        json={"url": "http://127.0.0.1:9/hook", "events": ["collaborator.added"]},
        headers=owner.headers,
    )
    assert late.status_code == 201
    envelope = envelope_of(await outbox_row(container, "CollaboratorAdded"))
    assert await container.consumer.consume(envelope, "notifications") == 2
    assert await count(container, WebhookDelivery) == 0
    assert await count(container, Notice) == 1


async def test_deleting_a_workspace_disables_its_webhooks_and_stops_what_was_waiting(
    client: httpx.AsyncClient, container: Container
) -> None:
    owner, member = await register(client, "Owner"), await register(client, "Member")
    ws = await workspace(client, owner)
    await client.post(
        f"/v1/workspaces/{ws['id']}/webhooks",
        json={"url": "http://127.0.0.1:9/hook", "events": ["collaborator.added"]},
        headers=owner.headers,
    )
    await add_member(client, ws, owner, member, "editor")
    added = envelope_of(await outbox_row(container, "CollaboratorAdded"))
    await container.consumer.consume(added, "notifications")
    assert (await client.delete(f"/v1/workspaces/{ws['id']}", headers=owner.headers)).status_code == 204
    deleted = envelope_of(await outbox_row(container, "WorkspaceDeleted"))
    assert await container.consumer.consume(deleted, "notifications") == 2  # notices + endpoints
    async with container.read_sessions() as session:
        endpoint = await session.scalar(select(WebhookEndpoint))
        delivery = await session.scalar(select(WebhookDelivery))
        notices = list(await session.scalars(select(Notice).where(Notice.kind == "workspace.deleted")))
    assert endpoint is not None and endpoint.disabled_at is not None
    assert endpoint.disabled_reason == "workspace deleted"
    assert delivery is not None and delivery.status == "failed" and delivery.last_error == "workspace deleted"
    assert [str(n.user_id) for n in notices] == [member.id]  # not the owner, who deleted it
