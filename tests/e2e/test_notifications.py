"""In-app notices through HTTP: created by consumers, listed newest first, paged, marked read."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.helpers import Account, add_member, register, workspace
from tests.receivers import settle_until
from visionscope.runtime import EmbeddedRuntime


async def notices(client: httpx.AsyncClient, account: Account, query: str = "") -> dict[str, Any]:
    response = await client.get(f"/v1/notifications{query}", headers=account.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def wait_for_notices(
    client: httpx.AsyncClient, runtime: EmbeddedRuntime, account: Account, count: int
) -> None:
    async def arrived() -> bool:
        return len((await notices(client, account, "?limit=200"))["items"]) >= count

    await settle_until(runtime, arrived)


async def test_the_invited_user_is_told_where_and_as_what(
    client: httpx.AsyncClient, runtime: EmbeddedRuntime
) -> None:
    owner, member = await register(client, "Owner"), await register(client, "Member")
    ws = await workspace(client, owner)
    await add_member(client, ws, owner, member, "editor")
    await wait_for_notices(client, runtime, member, 1)
    await runtime.settle()
    page = await notices(client, member)
    [notice] = page["items"]
    assert notice["title"] == "You were added to workspace Studio as editor"
    assert notice["kind"] == "collaborator.added" and notice["workspace_id"] == ws["id"]
    assert notice["read_at"] is None and notice["data"] == {"role": "editor"}
    assert page["next_cursor"] is None
    assert (await notices(client, owner))["items"] == []


async def test_notices_are_paged_newest_first_and_filtered_by_unread(
    client: httpx.AsyncClient, runtime: EmbeddedRuntime
) -> None:
    owner, member = await register(client, "Owner"), await register(client, "Member")
    for n in range(5):
        created = await client.post(
            "/v1/workspaces", json={"name": f"W{n}", "tier": "free"}, headers=owner.headers
        )
        await add_member(client, created.json(), owner, member, "viewer")
        await wait_for_notices(client, runtime, member, n + 1)  # one at a time: their order is certain
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        query = "?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = await notices(client, member, query)
        pages += 1
        assert len(page["items"]) <= 2
        seen.extend(n["title"] for n in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == [f"You were added to workspace W{n} as viewer" for n in (4, 3, 2, 1, 0)]

    newest = (await notices(client, member, "?limit=1"))["items"][0]
    read = await client.post(f"/v1/notifications/{newest['id']}/read", headers=member.headers)
    assert read.status_code == 200, read.text
    assert read.json()["read_at"] is not None and read.json()["id"] == newest["id"]
    again = await client.post(f"/v1/notifications/{newest['id']}/read", headers=member.headers)
    assert again.json()["read_at"] == read.json()["read_at"]  # marking twice changes nothing

    unread = await notices(client, member, "?unread=true")
    assert [n["title"] for n in unread["items"]] == seen[1:]
    everything = await notices(client, member)
    assert everything["items"][0]["id"] == newest["id"]
    bad = await client.get("/v1/notifications?cursor=not-a-cursor", headers=member.headers)
    assert bad.status_code == 422


async def test_another_users_notice_cannot_be_read_or_marked(
    client: httpx.AsyncClient, runtime: EmbeddedRuntime
) -> None:
    owner, member = await register(client, "Owner"), await register(client, "Member")
    ws = await workspace(client, owner)
    await add_member(client, ws, owner, member, "viewer")
    await wait_for_notices(client, runtime, member, 1)
    [notice] = (await notices(client, member))["items"]
    for caller, notice_id in ((owner, notice["id"]), (member, str(uuid.uuid4()))):
        response = await client.post(f"/v1/notifications/{notice_id}/read", headers=caller.headers)
        assert response.status_code == 404, response.text
    assert (await notices(client, member))["items"][0]["read_at"] is None
    assert (await client.get("/v1/notifications")).status_code == 401
    key = await client.post(f"/v1/workspaces/{ws['id']}/api-keys", json={"name": "k"}, headers=owner.headers)
    by_key = await client.get("/v1/notifications", headers={"X-API-Key": key.json()["key"]})
    assert by_key.status_code == 403  # notices belong to people, not to programs


async def test_ownership_and_deletion_are_announced(
    client: httpx.AsyncClient, runtime: EmbeddedRuntime
) -> None:
    owner, member, viewer = [await register(client, n) for n in ("Owner", "Member", "Viewer")]
    ws = await workspace(client, owner)
    await add_member(client, ws, owner, member, "admin")
    await add_member(client, ws, owner, viewer, "viewer")
    moved = await client.post(
        f"/v1/workspaces/{ws['id']}/owner", json={"user_id": member.id}, headers=owner.headers
    )
    assert moved.status_code == 200, moved.text
    await wait_for_notices(client, runtime, member, 2)
    titles = [n["title"] for n in (await notices(client, member))["items"]]
    assert titles == [
        "You are now the owner of workspace Studio",
        "You were added to workspace Studio as admin",
    ]
    deleted = await client.delete(f"/v1/workspaces/{ws['id']}", headers=member.headers)
    assert deleted.status_code == 204, deleted.text
    await wait_for_notices(client, runtime, owner, 1)
    await wait_for_notices(client, runtime, viewer, 2)
    for account in (owner, viewer):
        [latest, *_] = (await notices(client, account))["items"]
        assert latest["kind"] == "workspace.deleted" and latest["data"] == {"workspace_id": ws["id"]}
    assert (await notices(client, member))["items"][0]["kind"] != "workspace.deleted"  # they did it
