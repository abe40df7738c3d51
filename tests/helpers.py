"""Small helpers for driving the API in tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

PASSWORD = "correct horse battery staple"


@dataclass
class Account:
    id: str
    email: str
    token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def register(client: httpx.AsyncClient, name: str = "Ada") -> Account:
    email = f"{name.lower()}-{uuid.uuid4().hex[:8]}@example.com"
    created = await client.post(
        "/v1/auth/register", json={"email": email, "password": PASSWORD, "name": name}
    )
    assert created.status_code == 201, created.text
    tokens = await client.post("/v1/auth/token", data={"username": email, "password": PASSWORD})
    assert tokens.status_code == 200, tokens.text
    body = tokens.json()
    return Account(created.json()["id"], email, body["access_token"], body["refresh_token"])


async def workspace(client: httpx.AsyncClient, owner: Account, tier: str = "pro") -> dict[str, Any]:
    response = await client.post(
        "/v1/workspaces", json={"name": "Studio", "tier": tier}, headers=owner.headers
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def add_member(
    client: httpx.AsyncClient, ws: dict[str, Any], owner: Account, member: Account, role: str
) -> None:
    response = await client.post(
        f"/v1/workspaces/{ws['id']}/collaborators",
        json={"email": member.email, "role": role},
        headers=owner.headers,
    )
    assert response.status_code == 201, response.text


def tiny_video() -> bytes:
    """A one-second 64x64 H.264 MP4 made in memory: a real video, for tests that need any video."""
    import io

    import av
    import numpy as np

    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        for n in range(10):
            picture = np.full((64, 64, 3), n * 20, dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(picture, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()
