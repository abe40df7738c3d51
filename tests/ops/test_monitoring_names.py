"""Every metric the Grafana dashboard and the alert rules use is exported by /metrics after a workload."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.ops.workload import run_workload
from visionscope.app import create_app
from visionscope.bootstrap import Container
from visionscope.config import Settings
from visionscope.runtime import EmbeddedRuntime

OPS = Path(__file__).resolve().parents[2] / "ops"
METRIC_NAME = re.compile(r"\bvisionscope_[a-z0-9_]+\b")
SUFFIXES = {"counter": ("_total",), "gauge": ("",), "histogram": ("_bucket", "_count", "_sum")}
# Counted only when something goes wrong: declared by /metrics, without samples in a healthy workload.
ONLY_ON_FAILURE = {"visionscope_cache_errors_total"}


def dashboard_expressions(node: Any) -> list[str]:
    """The PromQL of every panel target and of the template variables."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("expr", "definition") and isinstance(value, str):
                found.append(value)
            else:
                found.extend(dashboard_expressions(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(dashboard_expressions(item))
    return found


def names_used() -> dict[str, set[str]]:
    dashboard = json.loads((OPS / "grafana" / "visionscope.json").read_text())
    panels = [p for p in dashboard["panels"] if p["type"] != "row"]
    assert panels and all(p["targets"] for p in panels)
    rules = (OPS / "prometheus" / "alerts.yml").read_text()
    return {
        "dashboard": {n for e in dashboard_expressions(dashboard) for n in METRIC_NAME.findall(e)},
        "alerts": set(METRIC_NAME.findall(rules)),
    }


@pytest.fixture
async def metrics_page(settings: Settings, container: Container, runtime: EmbeddedRuntime) -> str:
    app = create_app(settings, container)
    app.state.runtime = runtime
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        await run_workload(http, container, runtime)
        return (await http.get("/metrics")).text


async def test_the_dashboard_and_the_alerts_use_only_exported_metrics(metrics_page: str) -> None:
    families = list(text_string_to_metric_families(metrics_page))
    with_samples = {sample.name for family in families for sample in family.samples}
    declared = {family.name + suffix for family in families for suffix in SUFFIXES.get(family.type, ("",))}
    assert ONLY_ON_FAILURE.issubset(declared)
    used = names_used()
    assert len(used["dashboard"]) >= 15 and len(used["alerts"]) >= 6
    for source, names in used.items():
        missing = names - with_samples - ONLY_ON_FAILURE
        assert not missing, f"the {source} uses metrics that /metrics does not export: {sorted(missing)}"
