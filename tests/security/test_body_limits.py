"""Only the video upload streams large bodies; every other body is capped before it is read,
multipart or not, and a form is not read before its request could be legitimate."""

from __future__ import annotations

from collections.abc import AsyncIterator

from tests.helpers import register, tiny_video, workspace
from tests.security.test_sign_in_throttle import app_clients
from visionscope.config import Settings

CHUNK = 64 * 1024
BOUNDARY = "vsboundary"


class Sent:
    """A body of ``total`` bytes handed to the server chunk by chunk, counting what it took."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.taken = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        head = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="email"\r\n\r\n'.encode()
        yield head
        self.taken += len(head)
        while self.taken < self.total:
            self.taken += CHUNK
            yield b"x" * CHUNK


MULTIPART = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}


async def test_an_anonymous_multipart_sign_in_is_not_read_in_full(settings: Settings) -> None:
    async with app_clients(settings) as client:
        anonymous = client("203.0.113.20")
        body = Sent(40 * 1024 * 1024)
        answer = await anonymous.post("/signin", content=body, headers=MULTIPART)
        assert answer.status_code == 403, answer.status_code
        assert body.taken <= 2 * CHUNK  # no CSRF cookie: the form cannot be valid and is not read
        # With a cookie, the form is read only up to the cap.
        await anonymous.get("/signin")
        body = Sent(40 * 1024 * 1024)
        answer = await anonymous.post("/signin", content=body, headers=MULTIPART)
        assert answer.status_code == 413, answer.status_code
        assert body.taken <= settings.max_json_body_bytes + 2 * CHUNK


async def test_a_declared_large_multipart_body_is_refused_before_reading(settings: Settings) -> None:
    async with app_clients(settings) as client:
        anonymous = client("203.0.113.21")
        for path in ("/signin", "/signup", "/v1/auth/token", "/v1/auth/register"):
            body = Sent(20 * 1024 * 1024)
            headers = {**MULTIPART, "Content-Length": str(body.total + CHUNK)}
            answer = await anonymous.post(path, content=body, headers=headers)
            assert answer.status_code == 413, (path, answer.status_code)
            assert answer.headers["content-type"].startswith("application/problem+json")
            assert body.taken <= 2 * CHUNK, path


async def test_multipart_to_a_json_route_is_capped_too(settings: Settings) -> None:
    async with app_clients(settings) as client:
        http = client("198.51.100.20")
        owner = await register(http)
        ws = await workspace(http, owner)
        body = Sent(10 * 1024 * 1024)
        answer = await http.post(
            f"/v1/workspaces/{ws['id']}/projects", content=body, headers={**owner.headers, **MULTIPART}
        )
        assert answer.status_code == 413
        assert body.taken <= settings.max_json_body_bytes + 2 * CHUNK


async def test_the_video_upload_still_streams_bodies_larger_than_the_cap(settings: Settings) -> None:
    async with app_clients(settings, max_json_body_bytes=1000) as client:
        http = client("198.51.100.21")
        owner = await register(http)
        ws = await workspace(http, owner)
        project = await http.post(
            f"/v1/workspaces/{ws['id']}/projects", json={"name": "p"}, headers=owner.headers
        )
        video = tiny_video()
        assert len(video) > 1000
        upload = await http.post(
            f"/v1/projects/{project.json()['id']}/videos",
            files={"file": ("tiny.mp4", video, "video/mp4")},
            headers=owner.headers,
        )
        assert upload.status_code == 202, upload.text
