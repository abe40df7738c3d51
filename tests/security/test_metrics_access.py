"""GET /metrics lists every workspace with its credits: only for the operator's Prometheus."""

from __future__ import annotations

from tests.security.test_sign_in_throttle import app_clients
from visionscope.config import Settings

TOKEN = "scrape-" + "s" * 40


async def test_without_a_token_only_loopback_clients_read_metrics(settings: Settings) -> None:
    async with app_clients(settings) as client:
        outside = await client("203.0.113.30").get("/metrics")
        assert outside.status_code == 403
        assert outside.headers["content-type"].startswith("application/problem+json")
        assert "visionscope" not in outside.text.replace("visionscope.dev", "")
        for loopback in ("127.0.0.1", "::1"):
            inside = await client(loopback).get("/metrics")
            assert inside.status_code == 200 and "visionscope_http_requests_total" in inside.text


async def test_with_a_token_only_its_bearer_reads_metrics(settings: Settings) -> None:
    async with app_clients(settings, metrics_token=TOKEN) as client:
        for address in ("127.0.0.1", "203.0.113.31"):
            http = client(address)
            missing = await http.get("/metrics")
            wrong = await http.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
            assert missing.status_code == wrong.status_code == 401
            assert missing.headers["www-authenticate"].startswith("Bearer")
            right = await http.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
            assert right.status_code == 200 and "visionscope_http_requests_total" in right.text
