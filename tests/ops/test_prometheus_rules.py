"""The alert rules are valid and behave as their unit tests say (promtool, from Debian's prometheus)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.ops.conftest import PROMTOOL

RULES = Path(__file__).resolve().parents[2] / "ops" / "prometheus"

pytestmark = pytest.mark.promtool


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    assert PROMTOOL is not None
    return subprocess.run([PROMTOOL, *args], cwd=RULES, capture_output=True, text=True, check=False)


def test_the_alert_rules_pass_promtool_check() -> None:
    checked = promtool("check", "rules", "alerts.yml")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS: 7 rules found" in checked.stdout


def test_the_alert_rules_pass_their_unit_tests() -> None:
    tested = promtool("test", "rules", "alerts_test.yml")
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "SUCCESS" in tested.stdout
