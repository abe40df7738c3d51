"""Bad input to the billing routes: a clear 4xx problem+json every time, never a 500."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.billing_support import packaged_catalog  # noqa: F401 (a fixture, used by name)
from tests.helpers import add_member, register, workspace

pytestmark = pytest.mark.usefixtures("packaged_catalog")


def assert_problem(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, object] = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


async def test_negative_zero_or_absurd_amounts_are_422(client: httpx.AsyncClient) -> None:
    owner = await register(client)
    ws = await workspace(client, owner, tier="free")
    top_ups = f"/v1/workspaces/{ws['id']}/credits/top-ups"
    usage = f"/v1/workspaces/{ws['id']}/usage"
    for body in (
        {"feature": "search", "credits": 0},
        {"feature": "search", "credits": -5},
        {"feature": "search", "credits": 10**12},
        {"feature": "search", "credits": "many"},
        {"feature": "search", "credits": 1.5},
        {"feature": "", "credits": 5},
        {"credits": 5},
        {"feature": "search", "credits": 5, "price": 0},
    ):
        assert_problem(await client.post(top_ups, json=body, headers=owner.headers), 422)
    for body in (
        {"feature": "search", "quantity": 0},
        {"feature": "search", "quantity": -1},
        {"feature": "search", "quantity": None},
        {"feature": "search", "quantity": 1, "project_id": "not-a-uuid"},
    ):
        assert_problem(await client.post(usage, json=body, headers=owner.headers), 422)
    pools = (await client.get(f"/v1/workspaces/{ws['id']}/credits", headers=owner.headers)).json()["items"]
    assert all(p["purchased"] == 0 and p["used"] == 0 for p in pools)


async def test_unknown_feature_or_tier_is_a_clear_4xx(client: httpx.AsyncClient) -> None:
    owner = await register(client)
    ws = await workspace(client, owner, tier="free")
    problem = assert_problem(
        await client.post(
            f"/v1/workspaces/{ws['id']}/credits/top-ups",
            json={"feature": "teleport", "credits": 5},
            headers=owner.headers,
        ),
        422,
    )
    assert problem["errors"] == [{"field": "feature", "message": "unknown feature"}]
    assert_problem(
        await client.post(
            f"/v1/workspaces/{ws['id']}/usage",
            json={"feature": "teleport", "quantity": 1},
            headers=owner.headers,
        ),
        422,
    )
    assert_problem(
        await client.get(f"/v1/workspaces/{ws['id']}/credits/teleport/statement", headers=owner.headers), 404
    )
    assert_problem(
        await client.post(
            f"/v1/workspaces/{ws['id']}/tier", json={"tier": "platinum"}, headers=owner.headers
        ),
        422,
    )
    assert_problem(await client.post(f"/v1/workspaces/{ws['id']}/tier", json={}, headers=owner.headers), 422)
    assert_problem(
        await client.get(
            f"/v1/workspaces/{ws['id']}/usage", params={"group_by": "planet"}, headers=owner.headers
        ),
        422,
    )
    assert_problem(
        await client.get(
            f"/v1/workspaces/{ws['id']}/usage",
            params={"from": "2030-01-02T00:00:00Z", "to": "2030-01-01T00:00:00Z"},
            headers=owner.headers,
        ),
        422,
    )
    assert_problem(
        await client.get(
            f"/v1/workspaces/{ws['id']}/usage", params={"from": "yesterday"}, headers=owner.headers
        ),
        422,
    )
    assert_problem(
        await client.get(
            f"/v1/workspaces/{ws['id']}/credits/search/statement",
            params={"cursor": "abc"},
            headers=owner.headers,
        ),
        422,
    )


async def test_another_workspaces_pool_is_404(client: httpx.AsyncClient) -> None:
    owner, stranger = await register(client, "Owner"), await register(client, "Stranger")
    ws = await workspace(client, owner, tier="free")
    await workspace(client, stranger, tier="free")
    for method, path, body in (
        ("GET", f"/v1/workspaces/{ws['id']}/credits", None),
        ("GET", f"/v1/workspaces/{ws['id']}/credits/search/statement", None),
        ("POST", f"/v1/workspaces/{ws['id']}/credits/top-ups", {"feature": "search", "credits": 5}),
        ("POST", f"/v1/workspaces/{ws['id']}/usage", {"feature": "search", "quantity": 1}),
        ("GET", f"/v1/workspaces/{ws['id']}/usage", None),
        ("POST", f"/v1/workspaces/{ws['id']}/tier", {"tier": "pro"}),
    ):
        assert_problem(await client.request(method, path, json=body, headers=stranger.headers), 404)
    other_project = (
        await client.post(
            f"/v1/workspaces/{(await workspace(client, stranger))['id']}/projects",
            json={"name": "theirs"},
            headers=stranger.headers,
        )
    ).json()
    assert_problem(
        await client.post(
            f"/v1/workspaces/{ws['id']}/usage",
            json={"feature": "search", "quantity": 1, "project_id": other_project["id"]},
            headers=owner.headers,
        ),
        404,
    )
    assert_problem(
        await client.get(f"/v1/workspaces/{uuid.uuid4()}/credits/search/statement", headers=owner.headers),
        404,
    )


async def test_a_viewer_cannot_top_up_or_change_the_tier(client: httpx.AsyncClient) -> None:
    owner, viewer = await register(client, "Owner"), await register(client, "Viewer")
    ws = await workspace(client, owner, tier="pro")
    await add_member(client, ws, owner, viewer, "viewer")
    assert_problem(
        await client.post(
            f"/v1/workspaces/{ws['id']}/credits/top-ups",
            json={"feature": "search", "credits": 5},
            headers=viewer.headers,
        ),
        403,
    )
    assert_problem(
        await client.post(f"/v1/workspaces/{ws['id']}/tier", json={"tier": "free"}, headers=viewer.headers),
        403,
    )
    assert_problem(
        await client.post(
            f"/v1/workspaces/{ws['id']}/usage",
            json={"feature": "search", "quantity": 1},
            headers=viewer.headers,
        ),
        403,
    )
    assert (await client.get(f"/v1/workspaces/{ws['id']}/credits", headers=viewer.headers)).status_code == 200
