"""The example Prometheus configuration: valid, and scraping /metrics with the metrics token."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

CONFIG = Path(__file__).resolve().parents[2] / "ops" / "prometheus" / "prometheus.yml"


@pytest.mark.promtool
def test_the_example_configuration_is_valid_and_sends_the_token() -> None:
    checked = subprocess.run(
        ["promtool", "check", "config", "--syntax-only", str(CONFIG)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    text = CONFIG.read_text()
    assert "metrics_path: /metrics" in text and "type: Bearer" in text and "credentials_file:" in text
    assert "- alerts.yml" in text and (CONFIG.parent / "alerts.yml").exists()
