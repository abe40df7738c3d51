"""Models come from installed packages, are assembled once and checked against pinned hashes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from visionscope.analysis import ModelMissing, ModelPaths, check_models, whisper_model_dir
from visionscope.analysis.model_files import WHISPER_BASE_SHA256, _packaged_file, sha256_of


def test_check_models_finds_everything(analysis_models: ModelPaths) -> None:
    assert analysis_models.whisper_dir is not None
    for name in ("model.bin", "config.json", "tokenizer.json", "vocabulary.json"):
        assert (analysis_models.whisper_dir / name).is_file()
    assert sha256_of(analysis_models.whisper_dir / "model.bin") == WHISPER_BASE_SHA256
    assert analysis_models.embedder is not None and analysis_models.embedder.onnx.name == "model.onnx"
    assert analysis_models.tesseract is not None and os.access(analysis_models.tesseract, os.X_OK)


def test_only_enabled_features_are_checked(tmp_path: Path) -> None:
    paths = check_models(tmp_path, speech=False, text=False)
    assert paths.whisper_dir is None and paths.tesseract is None and paths.embedder is not None
    assert not (tmp_path / "whisper-base").exists()


def test_a_damaged_model_is_assembled_again(tmp_path: Path) -> None:
    directory = whisper_model_dir(tmp_path)
    model = directory / "model.bin"
    with model.open("r+b") as fh:
        fh.seek(1000)
        fh.write(b"\x00" * 16)
    assert whisper_model_dir(tmp_path) == directory
    assert sha256_of(model) == WHISPER_BASE_SHA256


def test_an_override_directory_is_used_when_complete(tmp_path: Path) -> None:
    custom = tmp_path / "my-model"
    custom.mkdir()
    with pytest.raises(ModelMissing, match=r"lacks model\.bin, config\.json, tokenizer\.json"):
        whisper_model_dir(tmp_path / "cache", custom)
    for name in ("model.bin", "config.json", "tokenizer.json"):
        (custom / name).write_bytes(b"x")
    assert whisper_model_dir(tmp_path / "cache", custom) == custom


def test_a_missing_package_names_the_pip_command() -> None:
    with pytest.raises(ModelMissing) as info:
        _packaged_file(
            "no-such-model-package", "data/model.bin", "The test model", "Install it with: pip install x"
        )
    assert "not installed" in info.value.what
    assert info.value.hint.startswith("Install it with: pip install")
