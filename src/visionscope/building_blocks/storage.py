"""File storage behind a small interface; the local-disk one serves one host or a shared mount."""

from __future__ import annotations

import shutil
from pathlib import Path, PurePosixPath
from typing import Protocol


class Storage(Protocol):
    """Files by key (``videos/<id>/source``). Keys are made by the product, never by users."""

    def path(self, key: str) -> Path:
        """The local path of a key; workers on other hosts see the same path on a shared mount."""
        ...

    def delete_tree(self, prefix: str) -> None:
        """Remove every file under a key prefix; nothing happens when there is none."""
        ...

    def writable(self) -> bool: ...


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def path(self, key: str) -> Path:
        relative = PurePosixPath(key)
        if relative.is_absolute() or ".." in relative.parts or not relative.parts:
            raise ValueError(f"not a storage key: {key!r}")
        return self.root.joinpath(*relative.parts)

    def delete_tree(self, prefix: str) -> None:
        target = self.path(prefix)
        if target.is_dir():
            shutil.rmtree(target, ignore_errors=True)
        elif target.exists():
            target.unlink(missing_ok=True)

    def writable(self) -> bool:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            probe = self.root / ".writable"
            probe.write_bytes(b"")
            probe.unlink()
            return True
        except OSError:
            return False
