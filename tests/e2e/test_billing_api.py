"""Billing through HTTP: pools, statements, top-ups, metered usage, reports and tier changes."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
import pytest

from tests.billing_support import packaged_catalog  # noqa: F401 (a fixture, used by name)
from tests.helpers import Account, add_member, register, workspace

pytestmark = pytest.mark.usefixtures("packaged_catalog")


async def pools(client: httpx.AsyncClient, ws: dict[str, Any], who: Account) -> dict[str, dict[str, Any]]:
    response = await client.get(f"/v1/workspaces/{ws['id']}/credits", headers=who.headers)
    assert response.status_code == 200, response.text
    return {p["feature"]: p for p in response.json()["items"]}


async def use(
    client: httpx.AsyncClient,
    ws: dict[str, Any],
    who: Account,
    feature: str,
    quantity: int,
    key: str | None = None,
) -> httpx.Response:
    headers = {**who.headers, **({"Idempotency-Key": key} if key else {})}
    return await client.post(
        f"/v1/workspaces/{ws['id']}/usage", json={"feature": feature, "quantity": quantity}, headers=headers
    )


async def test_pools_are_listed_with_their_group_and_totals_by_group(client: httpx.AsyncClient) -> None:
    owner = await register(client)
    ws = await workspace(client, owner, tier="free")
    response = (await client.get(f"/v1/workspaces/{ws['id']}/credits", headers=owner.headers)).json()
    chat = next(p for p in response["items"] if p["feature"] == "chat_message")
    assert {
        k: chat[k] for k in ("group", "granted", "purchased", "used", "reserved", "available", "status")
    } == {
        "group": "conversation",
        "granted": 200,
        "purchased": 0,
        "used": 0,
        "reserved": 0,
        "available": 200,
        "status": "active",
    }
    groups = {g["group"]: g["available"] for g in response["groups"]}
    assert groups == {"analysis": 450, "collaboration": 3, "conversation": 300}


async def test_a_top_up_honours_the_idempotency_key_and_shows_in_the_statement(
    client: httpx.AsyncClient,
) -> None:
    owner = await register(client)
    ws = await workspace(client, owner, tier="free")
    url = f"/v1/workspaces/{ws['id']}/credits/top-ups"
    headers = {**owner.headers, "Idempotency-Key": "order-7"}
    first = await client.post(url, json={"feature": "search", "credits": 40}, headers=headers)
    again = await client.post(url, json={"feature": "search", "credits": 40}, headers=headers)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert first.json()["available_after"] == 140
    assert (await pools(client, ws, owner))["search"]["purchased"] == 40
    assert (await use(client, ws, owner, "search", 5)).status_code == 201
    statement = (
        await client.get(f"/v1/workspaces/{ws['id']}/credits/search/statement", headers=owner.headers)
    ).json()
    lines = statement["items"]
    assert [(e["kind"], e["change"], e["balance"]) for e in lines] == [
        ("grant", 100, 100),
        ("purchase", 40, 140),
        ("charge", -5, 135),
    ]
    assert sum(e["change"] for e in lines) == statement["pool"]["available"] == 135
    paged = await client.get(
        f"/v1/workspaces/{ws['id']}/credits/search/statement", params={"limit": 2}, headers=owner.headers
    )
    rest = await client.get(
        f"/v1/workspaces/{ws['id']}/credits/search/statement",
        params={"cursor": paged.json()["next_cursor"]},
        headers=owner.headers,
    )
    assert [e["kind"] for e in paged.json()["items"] + rest.json()["items"]] == [
        "grant",
        "purchase",
        "charge",
    ]
    assert rest.json()["next_cursor"] is None


async def test_running_out_answers_402_problem_json_and_a_missing_feature_403(
    client: httpx.AsyncClient,
) -> None:
    owner = await register(client)
    ws = await workspace(client, owner, tier="free")
    assert (await use(client, ws, owner, "search", 100)).status_code == 201
    refused = await use(client, ws, owner, "search", 1)
    assert refused.status_code == 402
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert {k: refused.json()[k] for k in ("feature", "needed", "available")} == {
        "feature": "search",
        "needed": 1,
        "available": 0,
    }
    missing = await use(client, ws, owner, "text_recognition", 1)
    assert missing.status_code == 403 and missing.json()["tiers"] == ["pro", "enterprise"]


async def test_the_same_idempotency_key_charges_once(client: httpx.AsyncClient) -> None:
    owner = await register(client)
    ws = await workspace(client, owner, tier="free")
    first = await use(client, ws, owner, "chat_message", 3, key="msg-1")
    second = await use(client, ws, owner, "chat_message", 3, key="msg-1")
    assert first.status_code == second.status_code == 201 and first.json() == second.json()
    assert (await pools(client, ws, owner))["chat_message"]["used"] == 3
    reused = await use(client, ws, owner, "chat_message", 4, key="msg-1")
    assert reused.status_code == 409


async def test_usage_reports_group_by_feature_group_project_user_and_day_as_json_and_csv(
    client: httpx.AsyncClient,
) -> None:
    owner, editor = await register(client, "Owner"), await register(client, "Editor")
    ws = await workspace(client, owner, tier="pro")
    await add_member(client, ws, owner, editor, "editor")
    project = (
        await client.post(f"/v1/workspaces/{ws['id']}/projects", json={"name": "Docs"}, headers=owner.headers)
    ).json()
    await use(client, ws, owner, "chat_message", 2)
    await use(client, ws, editor, "search", 3)
    await client.post(
        f"/v1/workspaces/{ws['id']}/usage",
        json={"feature": "transcription", "quantity": 4, "project_id": project["id"]},
        headers=editor.headers,
    )
    url = f"/v1/workspaces/{ws['id']}/usage"

    async def report(group_by: str) -> dict[str, tuple[str, int]]:
        body = (await client.get(url, params={"group_by": group_by}, headers=owner.headers)).json()
        return {row["key"]: (row["label"], row["credits"]) for row in body["rows"]}

    assert await report("feature") == {
        "chat_message": ("Answered question", 2),
        "search": ("Project search", 3),
        "seats": ("Collaborator seats", 1),
        "transcription": ("Speech transcription", 20),
    }
    assert await report("group") == {
        "analysis": ("analysis", 20),
        "collaboration": ("collaboration", 1),
        "conversation": ("conversation", 5),
    }
    assert await report("project") == {"none": ("none", 6), project["id"]: ("Docs", 20)}
    assert await report("user") == {owner.id: ("Owner", 3), editor.id: ("Editor", 23)}
    days = await report("day")
    assert len(days) == 1 and next(iter(days.values()))[1] == 26
    as_csv = await client.get(
        url, params={"group_by": "group"}, headers={**owner.headers, "Accept": "text/csv"}
    )
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(as_csv.text)))
    assert rows[0] == ["group", "label", "operations", "quantity", "credits"]
    assert ["conversation", "conversation", "2", "5", "5"] in rows
    by_param = await client.get(url, params={"format": "csv"}, headers=owner.headers)
    assert by_param.headers["content-type"].startswith("text/csv")
    empty = await client.get(
        url, params={"from": "2000-01-01T00:00:00Z", "to": "2000-02-01T00:00:00Z"}, headers=owner.headers
    )
    assert empty.json()["rows"] == []


async def test_tier_changes_answer_the_workspace_with_its_pending_change(client: httpx.AsyncClient) -> None:
    owner = await register(client)
    ws = await workspace(client, owner, tier="pro")
    down = await client.post(f"/v1/workspaces/{ws['id']}/tier", json={"tier": "free"}, headers=owner.headers)
    assert down.status_code == 200, down.text
    assert down.json()["tier"] == "pro" and down.json()["pending_tier_change"]["tier"] == "free"
    listed = (await client.get("/v1/workspaces", headers=owner.headers)).json()["items"][0]
    assert listed["pending_tier_change"]["effective_at"] == down.json()["period_end"]
    cancelled = await client.delete(f"/v1/workspaces/{ws['id']}/tier/pending", headers=owner.headers)
    assert cancelled.status_code == 200 and cancelled.json()["pending_tier_change"] is None
    again = await client.delete(f"/v1/workspaces/{ws['id']}/tier/pending", headers=owner.headers)
    assert again.status_code == 404
    up = await client.post(
        f"/v1/workspaces/{ws['id']}/tier", json={"tier": "enterprise"}, headers=owner.headers
    )
    assert up.status_code == 200 and up.json()["tier"] == "enterprise"
    assert (await pools(client, ws, owner))["chat_message"]["granted"] > 5000
