"""Business and technical figures after a known workload: on /metrics and through the admin API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import redis
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from tests.conftest import REDIS_URL
from tests.helpers import register
from tests.ops.workload import (
    ANALYSIS_SECONDS,
    CHAT_MESSAGES,
    PRO_CENTS_PER_CREDIT,
    STAGE_SECONDS,
    VIDEO_SECONDS,
    Workload,
    run_workload,
)
from visionscope.app import create_app
from visionscope.bootstrap import Container, build_container
from visionscope.building_blocks.consumers import QUEUES
from visionscope.building_blocks.outbox import OutboxMessage, envelope_of
from visionscope.config import Settings
from visionscope.runtime import EmbeddedRuntime

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def samples_of(text: str) -> Samples:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))


@pytest.fixture
async def embedded(
    settings: Settings, container: Container, runtime: EmbeddedRuntime
) -> AsyncIterator[httpx.AsyncClient]:
    """The app as ``visionscope serve`` runs it: the in-process broker is on ``app.state.runtime``."""
    app = create_app(settings, container)
    app.state.runtime = runtime
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        yield http


@pytest.fixture
async def workload(embedded: httpx.AsyncClient, container: Container, runtime: EmbeddedRuntime) -> Workload:
    return await run_workload(embedded, container, runtime)


async def test_metrics_show_the_business_figures_of_the_workload(
    embedded: httpx.AsyncClient, workload: Workload
) -> None:
    text = (await embedded.get("/metrics")).text
    got = samples_of(text)
    ws = workload.workspace["id"]
    chat = {"workspace": ws, "feature": "chat_message"}
    assert value(got, "visionscope_credits_consumed_total", **chat) == CHAT_MESSAGES
    cents = value(got, "visionscope_credits_value_cents_total", **chat)
    assert cents == pytest.approx(CHAT_MESSAGES * PRO_CENTS_PER_CREDIT)
    assert value(got, "visionscope_videos_processed_total", workspace=ws, outcome="analysed") == 1
    assert value(got, "visionscope_videos_processed_total", workspace=ws, outcome="failed") == 1
    assert value(got, "visionscope_video_analysis_seconds_count") == 1
    assert value(got, "visionscope_video_analysis_seconds_sum") == ANALYSIS_SECONDS
    assert value(got, "visionscope_video_analysis_seconds_bucket", le="30.0") == 0
    assert value(got, "visionscope_video_analysis_seconds_bucket", le="60.0") == 1
    assert value(got, "visionscope_video_analysis_seconds_bucket", le="+Inf") == 1
    for stage, seconds in STAGE_SECONDS.items():
        assert value(got, "visionscope_video_analysis_stage_seconds_count", stage=stage) == 1
        assert value(got, "visionscope_video_analysis_stage_seconds_sum", stage=stage) == seconds
    assert value(got, "visionscope_video_analysis_stage_seconds_count", stage="text") is None  # skipped
    assert workload.owner.email not in text and "Owner" not in text  # no personal data in labels


async def test_metrics_show_the_technical_figures_of_the_workload(
    embedded: httpx.AsyncClient, workload: Workload
) -> None:
    got = samples_of((await embedded.get("/metrics")).text)
    for queue in QUEUES:
        assert value(got, "visionscope_queue_depth", queue=queue) == 0  # settled: nothing waits
        assert value(got, "visionscope_queue_dead_messages", queue=queue) == 0
    assert value(got, "visionscope_dead_messages") == 0
    assert value(got, "visionscope_outbox_pending") == 0
    assert value(got, "visionscope_cache_misses_total", query="GetCreditPools") == 1
    assert value(got, "visionscope_cache_hits_total", query="GetCreditPools") == 1
    handled = value(got, "visionscope_events_handled_total", queue="analytics", consumer="*", outcome="ok")
    assert handled is not None and handled > 0
    created = {"method": "POST", "route": "/v1/workspaces", "status": "201"}
    assert value(got, "visionscope_http_requests_total", **created) == 1
    assert value(got, "visionscope_handler_seconds_count", message="ChargeCredits", outcome="ok") == 1


async def test_admins_read_their_workspace_figures(embedded: httpx.AsyncClient, workload: Workload) -> None:
    url = f"/v1/workspaces/{workload.workspace['id']}/figures"
    figures = await embedded.get(url, headers=workload.owner.headers)
    assert figures.status_code == 200, figures.text
    body = figures.json()
    chat = [h for h in body["credits_by_hour"] if h["feature"] == "chat_message"]
    assert [h["credits"] for h in chat] == [CHAT_MESSAGES]
    assert chat[0]["hour"].endswith(":00:00Z") or chat[0]["hour"].endswith(":00:00+00:00")
    assert chat[0]["value_cents"] == pytest.approx(CHAT_MESSAGES * PRO_CENTS_PER_CREDIT, abs=1e-3)
    assert body["credits"] == sum(h["credits"] for h in body["credits_by_hour"])
    outcomes = {v["outcome"]: (v["videos"], v["video_seconds"]) for v in body["videos"]}
    assert outcomes == {"analysed": (1, VIDEO_SECONDS), "failed": (1, 0.0)}
    stages = {p["stage"]: (p["analyses"], p["average_seconds"]) for p in body["processing"]}
    assert stages == {"all": (1, ANALYSIS_SECONDS), **{s: (1, sec) for s, sec in STAGE_SECONDS.items()}}
    assert (await embedded.get(url, headers=workload.viewer.headers)).status_code == 403
    stranger = await register(embedded, "Stranger")
    assert (await embedded.get(url, headers=stranger.headers)).status_code == 404
    empty = await embedded.get(url, params={"to": "2020-01-01T00:00:00Z"}, headers=workload.owner.headers)
    assert empty.status_code == 200 and empty.json()["credits_by_hour"] == []


async def test_a_redelivered_event_is_not_counted_twice(
    embedded: httpx.AsyncClient, container: Container, runtime: EmbeddedRuntime, workload: Workload
) -> None:
    async with container.sessions() as session:
        rows = (
            await session.scalars(select(OutboxMessage).where(OutboxMessage.type == "CreditsCaptured"))
        ).all()
    await runtime.broker.publish([(envelope_of(row), "analytics") for row in rows])
    await runtime.settle()
    got = samples_of((await embedded.get("/metrics")).text)
    chat = {"workspace": workload.workspace["id"], "feature": "chat_message"}
    assert value(got, "visionscope_credits_consumed_total", **chat) == CHAT_MESSAGES


@pytest.mark.redis
async def test_queue_depth_is_read_from_the_celery_queues_in_redis(settings: Settings) -> None:
    assert REDIS_URL is not None
    broker = redis.Redis.from_url(REDIS_URL)
    broker.flushdb()
    broker.lpush("billing", "a", "b", "c")
    broker.lpush("video_processing", "d")
    broker.lpush("video_processing\x06\x163", "e")  # a priority-3 message sits in its own list
    distributed = settings.model_copy(update={"broker_url": REDIS_URL})
    container = build_container(distributed)
    app = create_app(distributed, container)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
            got = samples_of((await http.get("/metrics")).text)
    finally:
        await container.dispose()
        broker.flushdb()
    depths = {queue: value(got, "visionscope_queue_depth", queue=queue) for queue in QUEUES}
    assert depths == {"billing": 3, "video_processing": 2, "notifications": 0, "analytics": 0}
