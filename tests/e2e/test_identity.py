"""Identity through HTTP: registration, tokens, refresh rotation, API keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import jwt

from tests.helpers import PASSWORD, register, workspace


async def test_register_answers_201_without_the_password(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/auth/register", json={"email": "Grace@Example.com", "password": PASSWORD, "name": "Grace"}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "grace@example.com"
    assert "password" not in str(body) and "hash" not in str(body)


async def test_duplicate_email_is_a_conflict_whatever_its_case(client: httpx.AsyncClient) -> None:
    first = {"email": "linus@example.com", "password": PASSWORD, "name": "Linus"}
    assert (await client.post("/v1/auth/register", json=first)).status_code == 201
    again = await client.post("/v1/auth/register", json={**first, "email": "LINUS@example.com"})
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")


async def test_wrong_password_and_unknown_user_answer_the_same_401(client: httpx.AsyncClient) -> None:
    account = await register(client)
    wrong = await client.post("/v1/auth/token", data={"username": account.email, "password": "not it at all"})
    unknown = await client.post(
        "/v1/auth/token", data={"username": "nobody@example.com", "password": PASSWORD}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]


async def test_refresh_rotates_and_the_old_token_stops_working(client: httpx.AsyncClient) -> None:
    account = await register(client)
    first = await client.post("/v1/auth/refresh", json={"refresh_token": account.refresh_token})
    assert first.status_code == 200
    pair = first.json()
    assert pair["refresh_token"] != account.refresh_token and pair["token_type"] == "bearer"
    reused = await client.post("/v1/auth/refresh", json={"refresh_token": account.refresh_token})
    assert reused.status_code == 401
    # Reuse of an old token ends the whole sign-in: the newest token is revoked too.
    newest = await client.post("/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert newest.status_code == 401


async def test_logout_revokes_the_refresh_token(client: httpx.AsyncClient) -> None:
    account = await register(client)
    assert (
        await client.post("/v1/auth/logout", json={"refresh_token": account.refresh_token})
    ).status_code == 204
    assert (
        await client.post("/v1/auth/refresh", json={"refresh_token": account.refresh_token})
    ).status_code == 401


async def test_expired_and_tampered_tokens_are_refused(client: httpx.AsyncClient) -> None:
    account = await register(client)
    claims = jwt.decode(account.token, options={"verify_signature": False})
    past = datetime.now(UTC) - timedelta(hours=1)
    expired = jwt.encode(
        {**claims, "exp": int(past.timestamp())}, "test-secret-" + "x" * 40, algorithm="HS256"
    )
    forged = jwt.encode(claims, "some other secret that is long enough", algorithm="HS256")
    head, body, signature = account.token.split(".")
    tampered = f"{head}.{body}.{signature[:-4]}AAAA"
    for token in (expired, forged, tampered, "not-a-jwt"):
        response = await client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, token


async def test_api_key_is_shown_once_works_and_stops_when_revoked(client: httpx.AsyncClient) -> None:
    owner = await register(client)
    ws = await workspace(client, owner)
    created = await client.post(
        f"/v1/workspaces/{ws['id']}/api-keys", json={"name": "ci", "role": "viewer"}, headers=owner.headers
    )
    assert created.status_code == 201
    key = created.json()["key"]
    listed = await client.get(f"/v1/workspaces/{ws['id']}/api-keys", headers=owner.headers)
    assert key not in listed.text and listed.json()["items"][0]["prefix"] == key[:12]
    as_key = {"X-API-Key": key}
    assert (await client.get(f"/v1/workspaces/{ws['id']}", headers=as_key)).status_code == 200
    # The key is a viewer: it cannot write.
    denied = await client.post(f"/v1/workspaces/{ws['id']}/projects", json={"name": "x"}, headers=as_key)
    assert denied.status_code == 403
    revoked = await client.delete(
        f"/v1/workspaces/{ws['id']}/api-keys/{created.json()['id']}", headers=owner.headers
    )
    assert revoked.status_code == 204
    assert (await client.get(f"/v1/workspaces/{ws['id']}", headers=as_key)).status_code == 401


async def test_api_key_sees_only_its_own_workspace(client: httpx.AsyncClient) -> None:
    owner = await register(client)
    mine, other = await workspace(client, owner), await workspace(client, owner)
    key = (
        await client.post(f"/v1/workspaces/{mine['id']}/api-keys", json={"name": "k"}, headers=owner.headers)
    ).json()["key"]
    listed = await client.get("/v1/workspaces", headers={"X-API-Key": key})
    assert [w["id"] for w in listed.json()["items"]] == [mine["id"]]
    assert (await client.get(f"/v1/workspaces/{other['id']}", headers={"X-API-Key": key})).status_code == 404


async def test_api_key_cannot_mint_api_keys(client: httpx.AsyncClient) -> None:
    owner = await register(client)
    ws = await workspace(client, owner)
    key = (
        await client.post(
            f"/v1/workspaces/{ws['id']}/api-keys", json={"name": "k", "role": "admin"}, headers=owner.headers
        )
    ).json()["key"]
    minted = await client.post(
        f"/v1/workspaces/{ws['id']}/api-keys", json={"name": "k2"}, headers={"X-API-Key": key}
    )
    assert minted.status_code == 403


async def test_an_owner_cannot_close_the_account_until_the_workspace_is_handed_over(
    client: httpx.AsyncClient,
) -> None:
    owner = await register(client, "Owner")
    ws = await workspace(client, owner)
    refused = await client.delete("/v1/me", headers=owner.headers)
    assert refused.status_code == 409
    assert refused.json()["workspaces"] == [ws["id"]] and "Studio" in refused.json()["detail"]


async def test_closing_an_account_ends_memberships_keys_and_sessions_but_keeps_usage(
    client: httpx.AsyncClient,
) -> None:
    from tests.helpers import add_member

    owner, member = await register(client, "Owner"), await register(client, "Member")
    ws = await workspace(client, owner)
    await add_member(client, ws, owner, member, "admin")
    key = (
        await client.post(f"/v1/workspaces/{ws['id']}/api-keys", json={"name": "k"}, headers=member.headers)
    ).json()["key"]
    charged = await client.post(
        f"/v1/workspaces/{ws['id']}/usage",
        json={"feature": "chat_message", "quantity": 1},
        headers=member.headers,
    )
    assert charged.status_code == 201, charged.text
    assert (await client.delete("/v1/me", headers=member.headers)).status_code == 204
    assert (await client.get("/v1/me", headers=member.headers)).status_code == 401
    assert (await client.get("/v1/workspaces", headers={"X-API-Key": key})).status_code == 401
    assert (
        await client.post("/v1/auth/refresh", json={"refresh_token": member.refresh_token})
    ).status_code == 401
    signin = await client.post("/v1/auth/token", data={"username": member.email, "password": PASSWORD})
    assert signin.status_code == 401
    members = (await client.get(f"/v1/workspaces/{ws['id']}/collaborators", headers=owner.headers)).json()
    assert [m["user_id"] for m in members["items"]] == [owner.id]
    usage = await client.get(
        f"/v1/workspaces/{ws['id']}/usage", params={"group_by": "user"}, headers=owner.headers
    )
    assert usage.status_code == 200 and member.id in usage.text
