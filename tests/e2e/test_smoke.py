from __future__ import annotations

import httpx

from tests.helpers import register, workspace


async def test_register_sign_in_and_create_a_workspace_with_a_project(client: httpx.AsyncClient) -> None:
    owner = await register(client)
    me = await client.get("/v1/me", headers=owner.headers)
    assert me.status_code == 200
    assert me.json()["email"] == owner.email
    ws = await workspace(client, owner, tier="enterprise")
    assert ws["tier"] == "enterprise" and ws["role"] == "owner"
    project = await client.post(
        f"/v1/workspaces/{ws['id']}/projects", json={"name": "Launch"}, headers=owner.headers
    )
    assert project.status_code == 201, project.text
    listed = await client.get(f"/v1/workspaces/{ws['id']}/projects", headers=owner.headers)
    assert [p["name"] for p in listed.json()["items"]] == ["Launch"]
