"""Bad input of every kind gets a clear 4xx problem+json, never a 500."""

from __future__ import annotations

import httpx
import pytest

from tests.helpers import PASSWORD, register, workspace


def assert_problem(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, object] = response.json()
    assert body["status"] == status and body["title"] and body["detail"] and body["type"]
    return body


async def test_malformed_json_is_a_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/auth/register",
        content=b'{"email": "a@b.c", "password":',
        headers={"Content-Type": "application/json"},
    )
    assert_problem(response, 400)


@pytest.mark.parametrize(
    "body",
    [
        {"email": "not-an-email", "password": PASSWORD, "name": "x"},
        {"email": "a@example.com", "password": "short", "name": "x"},
        {"email": "a@example.com", "password": PASSWORD, "name": ""},
        {"email": "a@example.com", "password": PASSWORD, "name": "x" * 201},
        {"email": "a@example.com", "password": PASSWORD},
        {"email": 12, "password": PASSWORD, "name": "x"},
        {"email": "a@example.com", "password": PASSWORD, "name": "x", "is_admin": True},
        [],
        "a string",
    ],
)
async def test_invalid_registration_fields_are_named(client: httpx.AsyncClient, body: object) -> None:
    problem = assert_problem(await client.post("/v1/auth/register", json=body), 422)
    assert problem["errors"]


async def test_wrong_types_and_unknown_fields_on_workspace_routes(client: httpx.AsyncClient) -> None:
    owner = await register(client)
    ws = await workspace(client, owner)
    cases = [
        ("POST", "/v1/workspaces", {"name": ["list"], "tier": "free"}),
        ("POST", "/v1/workspaces", {"name": "ok", "tier": "free", "owner_id": owner.id}),
        ("PATCH", f"/v1/workspaces/{ws['id']}", {"name": None}),
        ("POST", f"/v1/workspaces/{ws['id']}/collaborators", {"email": "x@example.com", "role": "owner"}),
        ("POST", f"/v1/workspaces/{ws['id']}/collaborators", {"email": "x@example.com", "role": "god"}),
        ("POST", f"/v1/workspaces/{ws['id']}/owner", {"user_id": "not-a-uuid"}),
        ("POST", f"/v1/workspaces/{ws['id']}/projects", {"name": "   "}),
        ("GET", f"/v1/workspaces/{ws['id']}/projects?limit=0", None),
        ("GET", f"/v1/workspaces/{ws['id']}/projects?limit=abc", None),
    ]
    for method, path, body in cases:
        response = await client.request(method, path, json=body, headers=owner.headers)
        assert_problem(response, 422)


async def test_malformed_ids_in_paths_are_422_not_500(client: httpx.AsyncClient) -> None:
    owner = await register(client)
    for path in ("/v1/workspaces/123", "/v1/projects/%00", "/v1/workspaces/' OR 1=1 --"):
        response = await client.get(path, headers=owner.headers)
        assert response.status_code in (404, 422), path
        assert response.headers["content-type"].startswith("application/problem+json")


async def test_a_huge_json_body_is_refused_with_413(client: httpx.AsyncClient) -> None:
    huge = b'{"email": "a@example.com", "password": "' + b"x" * 2_000_000 + b'", "name": "x"}'
    response = await client.post(
        "/v1/auth/register", content=huge, headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 413)


async def test_unknown_routes_and_methods_are_problems(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/v1/nothing-here"), 404)
    assert_problem(await client.put("/v1/tiers"), 405)


async def test_a_bad_api_key_or_bearer_is_401(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/v1/workspaces", headers={"X-API-Key": "vsk_forged"}), 401)
    assert_problem(await client.get("/v1/workspaces", headers={"X-API-Key": "x" * 5000}), 401)
    assert_problem(await client.get("/v1/workspaces", headers={"Authorization": "Bearer " + "y" * 5000}), 401)


async def test_a_request_id_is_echoed_or_made(client: httpx.AsyncClient) -> None:
    given = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123"
    made = await client.get("/healthz", headers={"X-Request-ID": "bad id with spaces\n"})
    assert made.headers["x-request-id"] != "bad id with spaces\n" and len(made.headers["x-request-id"]) == 32
