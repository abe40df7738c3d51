"""Every endpoint, every kind of caller: the isolation and role matrix.

Routes are read from the application itself, so a new endpoint is covered as soon as it exists;
a path parameter or body this table does not know fails the test until it is added here.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
import pytest
from fastapi.routing import APIRoute

from tests.helpers import Account, add_member, register, tiny_video, workspace
from visionscope.app import create_app
from visionscope.bootstrap import Container
from visionscope.config import Settings

ANONYMOUS = {
    ("POST", "/v1/auth/register"),
    ("POST", "/v1/auth/token"),
    ("POST", "/v1/auth/refresh"),
    ("POST", "/v1/auth/logout"),
    ("GET", "/v1/tiers"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
}
USER_ONLY = {
    ("GET", "/v1/me"),
    ("DELETE", "/v1/me"),
    ("GET", "/v1/notifications"),
    ("POST", "/v1/notifications/{notification_id}/read"),
}
# The lowest role each workspace-scoped route needs.
MIN_ROLE = {
    ("GET", "/v1/workspaces/{workspace_id}"): "viewer",
    ("PATCH", "/v1/workspaces/{workspace_id}"): "admin",
    ("DELETE", "/v1/workspaces/{workspace_id}"): "owner",
    ("GET", "/v1/workspaces/{workspace_id}/collaborators"): "viewer",
    ("POST", "/v1/workspaces/{workspace_id}/collaborators"): "admin",
    ("PATCH", "/v1/workspaces/{workspace_id}/collaborators/{user_id}"): "admin",
    ("DELETE", "/v1/workspaces/{workspace_id}/collaborators/{user_id}"): "admin",
    ("POST", "/v1/workspaces/{workspace_id}/owner"): "owner",
    ("POST", "/v1/workspaces/{workspace_id}/projects"): "editor",
    ("GET", "/v1/workspaces/{workspace_id}/projects"): "viewer",
    ("GET", "/v1/projects/{project_id}"): "viewer",
    ("DELETE", "/v1/projects/{project_id}"): "admin",
    ("POST", "/v1/workspaces/{workspace_id}/api-keys"): "admin",
    ("GET", "/v1/workspaces/{workspace_id}/api-keys"): "admin",
    ("DELETE", "/v1/workspaces/{workspace_id}/api-keys/{key_id}"): "admin",
    ("GET", "/v1/workspaces/{workspace_id}/activity"): "admin",
    ("GET", "/v1/workspaces/{workspace_id}/credits"): "viewer",
    ("GET", "/v1/workspaces/{workspace_id}/credits/{feature}/statement"): "viewer",
    ("POST", "/v1/workspaces/{workspace_id}/credits/top-ups"): "admin",
    ("GET", "/v1/workspaces/{workspace_id}/usage"): "admin",
    ("POST", "/v1/workspaces/{workspace_id}/usage"): "editor",
    ("POST", "/v1/workspaces/{workspace_id}/tier"): "admin",
    ("DELETE", "/v1/workspaces/{workspace_id}/tier/pending"): "admin",
    ("POST", "/v1/workspaces/{workspace_id}/webhooks"): "admin",
    ("GET", "/v1/workspaces/{workspace_id}/webhooks"): "admin",
    ("DELETE", "/v1/workspaces/{workspace_id}/webhooks/{hook_id}"): "admin",
    ("POST", "/v1/workspaces/{workspace_id}/webhooks/{hook_id}/enable"): "admin",
    ("GET", "/v1/workspaces/{workspace_id}/webhooks/{hook_id}/deliveries"): "admin",
    ("POST", "/v1/workspaces/{workspace_id}/webhooks/{hook_id}/deliveries/{delivery_id}/replay"): "admin",
    ("POST", "/v1/projects/{project_id}/videos"): "editor",
    ("GET", "/v1/projects/{project_id}/videos"): "viewer",
    ("GET", "/v1/videos/{video_id}"): "viewer",
    ("DELETE", "/v1/videos/{video_id}"): "editor",
    ("POST", "/v1/videos/{video_id}/cancel"): "editor",
    ("POST", "/v1/videos/{video_id}/reanalyze"): "editor",
    ("GET", "/v1/videos/{video_id}/events"): "viewer",
    ("GET", "/v1/videos/{video_id}/media"): "viewer",
    ("GET", "/v1/videos/{video_id}/scenes"): "viewer",
    ("GET", "/v1/videos/{video_id}/transcript"): "viewer",
    ("GET", "/v1/videos/{video_id}/text"): "viewer",
    ("GET", "/v1/videos/{video_id}/chapters"): "viewer",
    ("GET", "/v1/videos/{video_id}/summary"): "viewer",
    ("GET", "/v1/videos/{video_id}/thumbnails/{number}.jpg"): "viewer",
    ("POST", "/v1/conversations"): "viewer",
    ("GET", "/v1/conversations/{conversation_id}"): "viewer",
    ("POST", "/v1/conversations/{conversation_id}/messages"): "viewer",
    ("GET", "/v1/projects/{project_id}/conversations"): "viewer",
    ("GET", "/v1/videos/{video_id}/conversations"): "viewer",
    ("POST", "/v1/projects/{project_id}/search"): "viewer",
    ("POST", "/v1/chat/completions"): "viewer",
}
ROLES = ["viewer", "editor", "admin", "owner"]
SECRET = "test-secret-" + "x" * 40  # the key the test settings sign tokens with


def body_for(method: str, path: str, target: Account) -> dict[str, Any] | None:
    bodies: dict[tuple[str, str], dict[str, Any]] = {
        ("PATCH", "/v1/workspaces/{workspace_id}"): {"name": "renamed"},
        ("POST", "/v1/workspaces/{workspace_id}/collaborators"): {"email": target.email, "role": "viewer"},
        ("PATCH", "/v1/workspaces/{workspace_id}/collaborators/{user_id}"): {"role": "viewer"},
        ("POST", "/v1/workspaces/{workspace_id}/owner"): {"user_id": target.id},
        ("POST", "/v1/workspaces/{workspace_id}/projects"): {"name": "p"},
        ("POST", "/v1/workspaces/{workspace_id}/api-keys"): {"name": "k"},
        ("POST", "/v1/workspaces"): {"name": "w", "tier": "free"},
        ("POST", "/v1/workspaces/{workspace_id}/credits/top-ups"): {"feature": "chat_message", "credits": 10},
        ("POST", "/v1/workspaces/{workspace_id}/usage"): {"feature": "chat_message", "quantity": 1},
        ("POST", "/v1/workspaces/{workspace_id}/tier"): {"tier": "enterprise"},
        ("POST", "/v1/workspaces/{workspace_id}/webhooks"): {
            "url": "https://hooks.example.com/visionscope",
            "events": ["video.ready"],
        },
        # "{name}" in a body stands for the id of that name, as in paths.
        ("POST", "/v1/conversations"): {"project_id": "{project_id}"},
        ("POST", "/v1/conversations/{conversation_id}/messages"): {"content": "What is said?"},
        ("POST", "/v1/projects/{project_id}/search"): {"query": "warehouse"},
        ("POST", "/v1/chat/completions"): {
            "model": "video:{video_id}",
            "messages": [{"role": "user", "content": "What is said?"}],
        },
    }
    return bodies.get((method, path))


def routes(settings: Settings, container: Container) -> list[tuple[str, str]]:
    app = create_app(settings, container)
    found = []
    for route in app.routes:
        if isinstance(route, APIRoute):
            for method in route.methods:
                found.append((method, route.path))
    return sorted(found)


@dataclass
class World:
    owner: Account
    member: Account  # an editor of the workspace, the target of collaborator routes
    outsider: Account
    ids: dict[str, str]


async def build_world(client: httpx.AsyncClient) -> World:
    owner, member, outsider = [await register(client, n) for n in ("Owner", "Member", "Outsider")]
    ws = await workspace(client, owner)
    await add_member(client, ws, owner, member, "editor")
    await workspace(client, outsider)
    project = (
        await client.post(f"/v1/workspaces/{ws['id']}/projects", json={"name": "p"}, headers=owner.headers)
    ).json()
    key = (
        await client.post(f"/v1/workspaces/{ws['id']}/api-keys", json={"name": "k"}, headers=owner.headers)
    ).json()
    video = await client.post(
        f"/v1/projects/{project['id']}/videos", files={"file": ("v.mp4", tiny_video())}, headers=owner.headers
    )
    assert video.status_code == 202, video.text
    ids = {
        "workspace_id": ws["id"],
        "project_id": project["id"],
        "key_id": key["id"],
        "user_id": member.id,
        "video_id": video.json()["id"],
        "number": "0",
    }
    ids["feature"] = "chat_message"  # a credit pool of the workspace, by its feature key
    # Webhook and notice ids: the checks run before any lookup, so ids that exist nowhere do.
    ids |= {
        "hook_id": str(uuid.uuid4()),
        "delivery_id": str(uuid.uuid4()),
        "notification_id": str(uuid.uuid4()),
    }
    conversation = await client.post(
        "/v1/conversations", json={"project_id": project["id"]}, headers=owner.headers
    )
    assert conversation.status_code == 201, conversation.text
    ids["conversation_id"] = conversation.json()["id"]
    return World(owner, member, outsider, ids)


def fill(path: str, ids: dict[str, str]) -> str:
    filled = path
    for name, value in ids.items():
        filled = filled.replace("{" + name + "}", value)
    assert "{" not in filled, f"the access matrix does not know a path parameter of {path}"
    return filled


def fill_body(body: Any, ids: dict[str, str]) -> Any:
    """A body with its "{name}" strings replaced by the ids of those names."""
    if isinstance(body, dict):
        return {key: fill_body(value, ids) for key, value in body.items()}
    if isinstance(body, list):
        return [fill_body(value, ids) for value in body]
    if isinstance(body, str):
        for name, value in ids.items():
            body = body.replace("{" + name + "}", value)
    return body


async def call(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    world: World,
    headers: dict[str, str],
    ids: dict[str, str] | None = None,
) -> httpx.Response:
    body = fill_body(body_for(method, path, world.member), ids or world.ids)
    url = fill(path, ids or world.ids)
    return await client.request(method, url, json=body, headers=headers)


async def test_every_scoped_route_is_in_the_matrix(settings: Settings, container: Container) -> None:
    for method, path in routes(settings, container):
        if (
            (method, path) in ANONYMOUS | USER_ONLY
            or path in ("/v1/workspaces",)
            or path.startswith("/docs")
            or path in ("/openapi.json", "/redoc", "/docs/oauth2-redirect")
        ):
            continue
        assert (method, path) in MIN_ROLE, f"{method} {path} has no entry in the access matrix"


async def test_no_credentials_answer_401_everywhere_but_public_routes(
    client: httpx.AsyncClient, settings: Settings, container: Container
) -> None:
    world = await build_world(client)
    for method, path in routes(settings, container):
        if (method, path) in ANONYMOUS or path.startswith("/docs") or path in ("/openapi.json", "/redoc"):
            continue
        response = await call(client, method, path, world, headers={})
        assert response.status_code == 401, f"{method} {path}: {response.status_code} {response.text}"
        assert response.headers["content-type"].startswith("application/problem+json")


async def test_another_workspaces_ids_answer_404(client: httpx.AsyncClient) -> None:
    world = await build_world(client)
    for method, path in MIN_ROLE:
        response = await call(client, method, path, world, headers=world.outsider.headers)
        assert response.status_code == 404, f"{method} {path}: {response.status_code} {response.text}"


async def test_ids_that_do_not_exist_answer_404(client: httpx.AsyncClient) -> None:
    world = await build_world(client)
    ghost = {name: str(uuid.uuid4()) if name.endswith("_id") else value for name, value in world.ids.items()}
    for method, path in MIN_ROLE:
        response = await call(client, method, path, world, headers=world.owner.headers, ids=ghost)
        assert response.status_code == 404, f"{method} {path}: {response.status_code} {response.text}"


@pytest.mark.parametrize("role", ["viewer", "editor", "admin"])
async def test_a_role_below_the_one_needed_answers_403(client: httpx.AsyncClient, role: str) -> None:
    world = await build_world(client)
    caller = await register(client, "Caller")
    await add_member(client, {"id": world.ids["workspace_id"]}, world.owner, caller, role)
    for (method, path), needed in MIN_ROLE.items():
        if ROLES.index(role) >= ROLES.index(needed):
            continue
        response = await call(client, method, path, world, headers=caller.headers)
        assert response.status_code == 403, f"{role} {method} {path}: {response.status_code} {response.text}"


async def test_expired_or_tampered_tokens_answer_401_everywhere(client: httpx.AsyncClient) -> None:
    world = await build_world(client)
    claims = jwt.decode(world.owner.token, options={"verify_signature": False})
    expired = jwt.encode({**claims, "exp": int(time.time()) - 60}, SECRET, algorithm="HS256")
    forged = jwt.encode(
        {**claims, "sub": world.outsider.id}, "another secret of enough length!!", algorithm="HS256"
    )
    head, body, signature = world.owner.token.split(".")
    tampered = f"{head}.{body}.{signature[::-1]}"
    for token in (expired, forged, tampered):
        for method, path in MIN_ROLE:
            response = await call(client, method, path, world, headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 401, f"{method} {path}: {response.status_code}"


async def test_a_revoked_api_key_answers_401_everywhere(client: httpx.AsyncClient) -> None:
    world = await build_world(client)
    ws = world.ids["workspace_id"]
    key = (
        await client.post(
            f"/v1/workspaces/{ws}/api-keys",
            json={"name": "gone", "role": "admin"},
            headers=world.owner.headers,
        )
    ).json()
    await client.delete(f"/v1/workspaces/{ws}/api-keys/{key['id']}", headers=world.owner.headers)
    for method, path in MIN_ROLE:
        response = await call(client, method, path, world, headers={"X-API-Key": key["key"]})
        assert response.status_code == 401, f"{method} {path}: {response.status_code}"
