"""Workspaces, collaborators, ownership and projects through HTTP."""

from __future__ import annotations

import httpx

from tests.helpers import add_member, register, workspace


async def test_creating_a_workspace_makes_the_creator_its_owner(client: httpx.AsyncClient) -> None:
    owner = await register(client)
    ws = await workspace(client, owner, tier="free")
    members = (await client.get(f"/v1/workspaces/{ws['id']}/collaborators", headers=owner.headers)).json()
    assert [(m["user_id"], m["role"]) for m in members["items"]] == [(owner.id, "owner")]
    assert ws["period_end"] > ws["period_start"]


async def test_unknown_tier_is_refused(client: httpx.AsyncClient) -> None:
    owner = await register(client)
    response = await client.post(
        "/v1/workspaces", json={"name": "x", "tier": "platinum"}, headers=owner.headers
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "tier"


async def test_rename_and_delete_a_workspace(client: httpx.AsyncClient) -> None:
    owner = await register(client)
    ws = await workspace(client, owner)
    renamed = await client.patch(
        f"/v1/workspaces/{ws['id']}", json={"name": "Renamed"}, headers=owner.headers
    )
    assert renamed.status_code == 200 and renamed.json()["name"] == "Renamed"
    assert (await client.delete(f"/v1/workspaces/{ws['id']}", headers=owner.headers)).status_code == 204
    assert (await client.get(f"/v1/workspaces/{ws['id']}", headers=owner.headers)).status_code == 404
    assert (await client.get("/v1/workspaces", headers=owner.headers)).json()["items"] == []


async def test_deleting_a_workspace_revokes_its_api_keys_and_archives_projects(
    client: httpx.AsyncClient,
) -> None:
    owner = await register(client)
    ws = await workspace(client, owner)
    project = (
        await client.post(f"/v1/workspaces/{ws['id']}/projects", json={"name": "p"}, headers=owner.headers)
    ).json()
    key = (
        await client.post(f"/v1/workspaces/{ws['id']}/api-keys", json={"name": "k"}, headers=owner.headers)
    ).json()["key"]
    await client.delete(f"/v1/workspaces/{ws['id']}", headers=owner.headers)
    assert (await client.get("/v1/workspaces", headers={"X-API-Key": key})).status_code == 401
    assert (await client.get(f"/v1/projects/{project['id']}", headers=owner.headers)).status_code == 404


async def test_collaborator_roles_can_be_changed_and_members_removed(client: httpx.AsyncClient) -> None:
    owner, member = await register(client, "Owner"), await register(client, "Member")
    ws = await workspace(client, owner)
    await add_member(client, ws, owner, member, "viewer")
    seen = await client.get(f"/v1/workspaces/{ws['id']}", headers=member.headers)
    assert seen.json()["role"] == "viewer"
    changed = await client.patch(
        f"/v1/workspaces/{ws['id']}/collaborators/{member.id}", json={"role": "editor"}, headers=owner.headers
    )
    assert changed.status_code == 200 and changed.json()["role"] == "editor"
    project = await client.post(
        f"/v1/workspaces/{ws['id']}/projects", json={"name": "p"}, headers=member.headers
    )
    assert project.status_code == 201
    removed = await client.delete(
        f"/v1/workspaces/{ws['id']}/collaborators/{member.id}", headers=owner.headers
    )
    assert removed.status_code == 204
    assert (await client.get(f"/v1/workspaces/{ws['id']}", headers=member.headers)).status_code == 404


async def test_adding_someone_twice_or_an_unknown_email_is_refused(client: httpx.AsyncClient) -> None:
    owner, member = await register(client, "Owner"), await register(client, "Member")
    ws = await workspace(client, owner)
    await add_member(client, ws, owner, member, "editor")
    twice = await client.post(
        f"/v1/workspaces/{ws['id']}/collaborators",
        json={"email": member.email, "role": "viewer"},
        headers=owner.headers,
    )
    assert twice.status_code == 409
    unknown = await client.post(
        f"/v1/workspaces/{ws['id']}/collaborators",
        json={"email": "ghost@example.com", "role": "viewer"},
        headers=owner.headers,
    )
    assert unknown.status_code == 404


async def test_a_removed_collaborators_api_keys_stop_working(client: httpx.AsyncClient) -> None:
    owner, admin = await register(client, "Owner"), await register(client, "Admin")
    ws = await workspace(client, owner)
    await add_member(client, ws, owner, admin, "admin")
    key = (
        await client.post(f"/v1/workspaces/{ws['id']}/api-keys", json={"name": "k"}, headers=admin.headers)
    ).json()["key"]
    assert (await client.get(f"/v1/workspaces/{ws['id']}", headers={"X-API-Key": key})).status_code == 200
    await client.delete(f"/v1/workspaces/{ws['id']}/collaborators/{admin.id}", headers=owner.headers)
    assert (await client.get(f"/v1/workspaces/{ws['id']}", headers={"X-API-Key": key})).status_code == 401
    keys = (await client.get(f"/v1/workspaces/{ws['id']}/api-keys", headers=owner.headers)).json()["items"]
    assert keys[0]["revoked_at"] is not None


async def test_the_owner_can_neither_leave_nor_be_removed(client: httpx.AsyncClient) -> None:
    owner, admin = await register(client, "Owner"), await register(client, "Admin")
    ws = await workspace(client, owner)
    await add_member(client, ws, owner, admin, "admin")
    leave = await client.delete(f"/v1/workspaces/{ws['id']}/collaborators/{owner.id}", headers=owner.headers)
    assert leave.status_code == 409
    removed = await client.delete(
        f"/v1/workspaces/{ws['id']}/collaborators/{owner.id}", headers=admin.headers
    )
    assert removed.status_code == 409
    demoted = await client.patch(
        f"/v1/workspaces/{ws['id']}/collaborators/{owner.id}", json={"role": "viewer"}, headers=admin.headers
    )
    assert demoted.status_code == 409


async def test_a_member_can_leave(client: httpx.AsyncClient) -> None:
    owner, viewer = await register(client, "Owner"), await register(client, "Viewer")
    ws = await workspace(client, owner)
    await add_member(client, ws, owner, viewer, "viewer")
    left = await client.delete(f"/v1/workspaces/{ws['id']}/collaborators/{viewer.id}", headers=viewer.headers)
    assert left.status_code == 204
    assert (await client.get("/v1/workspaces", headers=viewer.headers)).json()["items"] == []


async def test_ownership_transfer_swaps_roles(client: httpx.AsyncClient) -> None:
    owner, heir = await register(client, "Owner"), await register(client, "Heir")
    ws = await workspace(client, owner)
    await add_member(client, ws, owner, heir, "editor")
    moved = await client.post(
        f"/v1/workspaces/{ws['id']}/owner", json={"user_id": heir.id}, headers=owner.headers
    )
    assert moved.status_code == 200 and moved.json()["owner_id"] == heir.id
    roles = {
        m["user_id"]: m["role"]
        for m in (await client.get(f"/v1/workspaces/{ws['id']}/collaborators", headers=heir.headers)).json()[
            "items"
        ]
    }
    assert roles == {heir.id: "owner", owner.id: "admin"}
    # The old owner, now admin, can no longer delete the workspace.
    assert (await client.delete(f"/v1/workspaces/{ws['id']}", headers=owner.headers)).status_code == 403


async def test_projects_are_paginated_with_a_cursor(client: httpx.AsyncClient) -> None:
    owner = await register(client)
    ws = await workspace(client, owner)
    for n in range(5):
        await client.post(
            f"/v1/workspaces/{ws['id']}/projects", json={"name": f"p{n}"}, headers=owner.headers
        )
    names: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (
            await client.get(f"/v1/workspaces/{ws['id']}/projects", params=params, headers=owner.headers)
        ).json()
        names += [p["name"] for p in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert names == [f"p{n}" for n in range(5)] and pages == 3
    bad = await client.get(
        f"/v1/workspaces/{ws['id']}/projects", params={"cursor": "garbage!"}, headers=owner.headers
    )
    assert bad.status_code == 422


async def test_deleted_project_is_gone(client: httpx.AsyncClient) -> None:
    owner = await register(client)
    ws = await workspace(client, owner)
    project = (
        await client.post(f"/v1/workspaces/{ws['id']}/projects", json={"name": "p"}, headers=owner.headers)
    ).json()
    assert (await client.delete(f"/v1/projects/{project['id']}", headers=owner.headers)).status_code == 204
    assert (await client.get(f"/v1/projects/{project['id']}", headers=owner.headers)).status_code == 404
    assert (await client.delete(f"/v1/projects/{project['id']}", headers=owner.headers)).status_code == 404
