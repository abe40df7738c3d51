"""The evaluation's way into VisionScope: its public HTTP API only, as any client uses it."""

from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import Any

import httpx

TERMINAL = {"ready", "failed", "cancelled"}


class ApiError(RuntimeError):
    def __init__(self, what: str, response: httpx.Response) -> None:
        super().__init__(f"{what}: HTTP {response.status_code}: {response.text[:300]}")
        self.status = response.status_code


class Api:
    """A signed-in user of one server; an expired access token is refreshed once and the call retried."""

    def __init__(self, base_url: str, *, timeout: float = 300.0) -> None:
        self.http = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout)
        self.refresh_token = ""

    def close(self) -> None:
        self.http.close()

    def _call(self, method: str, path: str, what: str, ok: tuple[int, ...], **kwargs: Any) -> httpx.Response:
        response = self.http.request(method, path, **kwargs)
        if response.status_code == 401 and self.refresh_token:
            self._refresh()
            response = self.http.request(method, path, **kwargs)
        if response.status_code not in ok:
            raise ApiError(what, response)
        return response

    def _use(self, tokens: dict[str, Any]) -> None:
        self.http.headers["Authorization"] = f"Bearer {tokens['access_token']}"
        self.refresh_token = str(tokens["refresh_token"])

    def _refresh(self) -> None:
        self.http.headers.pop("Authorization", None)  # the expired token would be refused first
        response = self.http.post("/v1/auth/refresh", json={"refresh_token": self.refresh_token})
        if response.status_code != 200:
            raise ApiError("refresh the sign-in", response)
        self._use(response.json())

    def sign_up(self, email: str | None = None, password: str | None = None) -> tuple[str, str]:
        """Register a new user (or sign in an existing one) and keep its tokens."""
        if email is None or password is None:
            email = f"eval-{secrets.token_hex(4)}@example.com"
            password = secrets.token_urlsafe(16)
            self._call(
                "POST",
                "/v1/auth/register",
                "register",
                (201,),
                json={"email": email, "password": password, "name": "Evaluation"},
            )
        tokens = self._call(
            "POST", "/v1/auth/token", "sign in", (200,), data={"username": email, "password": password}
        ).json()
        self._use(tokens)
        return email, password

    def workspace(self, name: str, tier: str) -> str:
        body = {"name": name, "tier": tier}
        return str(
            self._call("POST", "/v1/workspaces", "create the workspace", (201,), json=body).json()["id"]
        )

    def project(self, workspace_id: str, name: str) -> str:
        path = f"/v1/workspaces/{workspace_id}/projects"
        return str(self._call("POST", path, "create the project", (201,), json={"name": name}).json()["id"])

    def upload(self, project_id: str, path: Path) -> str:
        with path.open("rb") as stream:
            files = {"file": (path.name, stream, "video/mp4")}
            response = self._call(
                "POST", f"/v1/projects/{project_id}/videos", f"upload {path.name}", (202,), files=files
            )
        return str(response.json()["id"])

    def video(self, video_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", f"/v1/videos/{video_id}", "read the video", (200,)).json()
        return result

    def wait_ready(
        self, video_id: str, *, poll_seconds: float = 3.0, give_up_seconds: float = 3600.0
    ) -> None:
        deadline = time.monotonic() + give_up_seconds
        while True:
            video = self.video(video_id)
            if video["status"] in TERMINAL:
                if video["status"] != "ready":
                    raise RuntimeError(f"video {video_id} ended {video['status']}: {video.get('error')}")
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"video {video_id} still {video['status']} after {give_up_seconds:.0f} s")
            time.sleep(poll_seconds)

    def conversation(self, video_id: str) -> str:
        response = self._call(
            "POST", "/v1/conversations", "open a conversation", (201,), json={"video_id": video_id}
        )
        return str(response.json()["id"])

    def ask(self, conversation_id: str, question: str) -> tuple[dict[str, Any], float]:
        """The answer and the seconds it took."""
        started = time.perf_counter()
        response = self._call(
            "POST",
            f"/v1/conversations/{conversation_id}/messages",
            "ask",
            (200, 201),
            json={"content": question},
        )
        seconds = time.perf_counter() - started
        answer: dict[str, Any] = response.json()
        return answer, seconds
