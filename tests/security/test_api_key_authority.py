"""An API key never does more than its creator may do now (issue: a demoted admin's admin key)."""

from __future__ import annotations

import httpx

from tests.helpers import add_member, register, workspace


async def _admin_key(client: httpx.AsyncClient, ws_id: str, headers: dict[str, str]) -> dict[str, str]:
    created = await client.post(
        f"/v1/workspaces/{ws_id}/api-keys", json={"name": "deploy", "role": "admin"}, headers=headers
    )
    assert created.status_code == 201, created.text
    return {"X-API-Key": created.json()["key"]}


async def test_a_demoted_admins_key_acts_as_a_viewer(client: httpx.AsyncClient) -> None:
    owner, mallory = await register(client, "Owner"), await register(client, "Mallory")
    ws = await workspace(client, owner, tier="pro")
    await add_member(client, ws, owner, mallory, "admin")
    key = await _admin_key(client, ws["id"], mallory.headers)
    demoted = await client.patch(
        f"/v1/workspaces/{ws['id']}/collaborators/{mallory.id}",
        json={"role": "viewer"},
        headers=owner.headers,
    )
    assert demoted.status_code == 200, demoted.text

    promote = await client.patch(
        f"/v1/workspaces/{ws['id']}/collaborators/{mallory.id}", json={"role": "admin"}, headers=key
    )
    assert promote.status_code == 403, promote.text
    tier = await client.post(f"/v1/workspaces/{ws['id']}/tier", json={"tier": "enterprise"}, headers=key)
    assert tier.status_code == 403, tier.text
    project = await client.post(f"/v1/workspaces/{ws['id']}/projects", json={"name": "x"}, headers=key)
    assert project.status_code == 403, project.text
    # Reading is what a viewer may do, so the key still reads.
    assert (await client.get(f"/v1/workspaces/{ws['id']}/projects", headers=key)).status_code == 200
    members = await client.get(f"/v1/workspaces/{ws['id']}/collaborators", headers=owner.headers)
    roles = {m["user_id"]: m["role"] for m in members.json()["items"]}
    assert roles[mallory.id] == "viewer"


async def test_a_promoted_creator_does_not_lift_a_lower_key(client: httpx.AsyncClient) -> None:
    owner, ed = await register(client, "Owner"), await register(client, "Ed")
    ws = await workspace(client, owner)
    await add_member(client, ws, owner, ed, "admin")
    created = await client.post(
        f"/v1/workspaces/{ws['id']}/api-keys", json={"name": "ro", "role": "viewer"}, headers=ed.headers
    )
    key = {"X-API-Key": created.json()["key"]}
    project = await client.post(f"/v1/workspaces/{ws['id']}/projects", json={"name": "x"}, headers=key)
    assert project.status_code == 403


async def test_the_key_stops_when_its_creator_is_removed(client: httpx.AsyncClient) -> None:
    owner, mallory = await register(client, "Owner"), await register(client, "Mallory")
    ws = await workspace(client, owner)
    await add_member(client, ws, owner, mallory, "admin")
    key = await _admin_key(client, ws["id"], mallory.headers)
    assert (await client.get(f"/v1/workspaces/{ws['id']}/projects", headers=key)).status_code == 200
    removed = await client.delete(
        f"/v1/workspaces/{ws['id']}/collaborators/{mallory.id}", headers=owner.headers
    )
    assert removed.status_code == 204
    assert (await client.get(f"/v1/workspaces/{ws['id']}/projects", headers=key)).status_code == 401
