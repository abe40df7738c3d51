"""Checkpoints of the decode pass, so that a scan stopped midway goes on from its last saved scene
boundary and ends with the same result as a scan that was never stopped.

A checkpoint is the folder `scan.checkpoint/` in the work dir: `state-*.npz` holds the arrays (the
shot detector's frame grids and colour histograms, the sprite's tiles so far) and `manifest.json`
everything else, the name of that npz and a checksum. The npz is written first, the manifest
last (to a temporary file renamed over the old one), so a reader finds the previous checkpoint
or the new one, never half of one. No pickle: the arrays load with `allow_pickle=False`, the
rest is JSON. A checkpoint says which file (size and modification time) and which settings it
belongs to, and is ignored for any other.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import zipfile
from collections import deque
from concurrent.futures import wait
from dataclasses import asdict, dataclass
from pathlib import Path
from time import monotonic
from typing import TYPE_CHECKING, Any, cast, get_args

import av
import av.container
import numpy as np
import numpy.typing as npt

from .atomic import write_text_atomic
from .results import Scene
from .shot_rules import F32, I16, Boundary, Gradual, ShotParams, half_grid
from .shots import ShotDetector
from .shots import _Frame as _DetectorFrame

if TYPE_CHECKING:
    from .scan import _Frame, _Scanner

log = logging.getLogger(__name__)

FOLDER = "scan.checkpoint"
_MANIFEST = "manifest.json"
_VERSION = 1
_KINDS = ("cut", "dissolve", "fade", "wipe")
U8 = npt.NDArray[np.uint8]
#: What reading a damaged checkpoint raises (a torn zip, missing fields, wrong types).
_DAMAGED = (OSError, ValueError, LookupError, TypeError, AttributeError, EOFError, zipfile.BadZipFile)


@dataclass(slots=True)
class ScanState:
    """The scan at a scene boundary: the scene starting at `start` is open and still empty."""

    start: float
    """Time of the open scene's first frame (the first frame not yet committed)."""
    index: int
    transition: Boundary
    pending: list[tuple[float, float]]
    """(time, luma change) of the frames given to the detector but not yet committed, `start` first."""
    taken: int
    count: int
    errors: int
    last_time: float
    bt709: bool
    full_range: bool
    rotation: int
    scenes: list[Scene]
    sprite_next: float
    sprite_tiles: list[U8]


Resume = tuple[ScanState, ShotDetector]


class Mismatch(Exception):
    """The video decoded after a checkpoint's seek is not what the checkpoint saw."""


class Saver:
    """`on_boundary` of the scanner: saves a checkpoint when a scene opens, at most every `every`
    seconds of wall clock, once the pictures of the closed scenes are on disk."""

    def __init__(self, scanner: _Scanner, ident: dict[str, Any], every: float) -> None:
        self.scanner, self.ident, self.every = scanner, ident, every
        self.folder = scanner.out_dir / FOLDER
        self.last = monotonic()

    def __call__(self, rec: _Frame, dy: float) -> None:
        started = monotonic()
        if started - self.last < self.every:
            return
        self.last = started  # a checkpoint that fails waits as long as one written
        writer = self.scanner.writer
        wait(writer.jobs)  # never point at a picture that is not on disk
        writer.jobs = [job for job in writer.jobs if job.exception() is not None]
        if writer.jobs:
            return  # a scene's pictures could not be written: the scan fails when it closes the writer
        size = save(self.folder, self.ident, capture(self.scanner, rec, dy), self.scanner.detector)
        if size is not None:
            ms = (monotonic() - started) * 1000
            extra = {"at": rec.time, "bytes": size, "ms": ms}
            log.debug("scan checkpoint at %.3f s: %d bytes, %.1f ms", rec.time, size, ms, extra=extra)


def capture(scanner: _Scanner, rec: _Frame, dy: float) -> ScanState:
    """The scan as `on_boundary` finds it: the scene opening at `rec` has no frame yet."""
    acc = scanner.acc
    assert acc is not None and acc.transition is not None
    return ScanState(
        start=rec.time,
        index=acc.index,
        transition=acc.transition,
        pending=[(rec.time, dy), *((r.time, d) for r, d in scanner.pending)],
        taken=scanner.taken,
        count=scanner.count,
        errors=scanner.errors,
        last_time=scanner.last_time,
        bt709=scanner.bt709,
        full_range=scanner.full_range,
        rotation=scanner.rotation,
        scenes=list(scanner.scenes),
        sprite_next=scanner.sprite.next_time,
        sprite_tiles=list(scanner.sprite.tiles),
    )


def restore(scanner: _Scanner, state: ScanState, detector: ShotDetector) -> None:
    """Put a new scanner back in a saved state but its open scene (which the caller opens at
    `state.start`); its pending frames are then decoded again (`Replay`)."""
    scanner.detector, scanner.scenes, scanner.taken = detector, list(state.scenes), state.taken
    scanner.count, scanner.errors, scanner.last_time = state.count, state.errors, state.last_time
    scanner.bt709, scanner.full_range, scanner.rotation = state.bt709, state.full_range, state.rotation
    scanner.sprite.tiles, scanner.sprite.next_time = list(state.sprite_tiles), state.sprite_next


class Replay:
    """A resumed scan's first frames: those the checkpoint had given the shot detector and not yet
    committed. They are decoded again, checked (times and grids) and put back as they were."""

    def __init__(self, state: ScanState, detector: ShotDetector) -> None:
        self.left = deque(state.pending)
        self.start = state.start - 1e-6
        self.known = {f.time: f.grid for f in detector._frames}

    def __bool__(self) -> bool:
        return bool(self.left)

    def put_back(self, scanner: _Scanner, rec: _Frame) -> None:
        """Put the next frame back among the scanner's pending ones with its saved luma change;
        `Mismatch` if it is not the frame the checkpoint has next."""
        want, dy = self.left.popleft()
        saved = self.known.get(want)
        if abs(rec.time - want) > 1e-6 or saved is None or not np.array_equal(saved, rec.grid):
            raise Mismatch(f"a frame at {rec.time:.3f} s where one at {want:.3f} s was expected")
        rec.time = want
        scanner.pending.append((rec, dy))
        writer = scanner.writer
        if not self.left and writer.on_scene is not None:  # back where the checkpoint was:
            writer.jobs += [writer.pool.submit(writer.on_scene, s) for s in scanner.scenes]  # in order


def seek(container: av.container.InputContainer, stream: av.VideoStream, start: float) -> None:
    """Seek to the last keyframe at or before `start`: one whose first picture is not later (a
    keyframe decoded before but shown after `start` is stepped over)."""
    base = stream.time_base or 1
    for back in (0.0, 1.0, 4.0, 16.0, start):
        target = max(0, int((start - back) / base))
        container.seek(target, stream=stream)
        try:
            first = next((f.time for packet in container.demux(stream) for f in packet.decode()), None)
        except av.error.FFmpegError:
            first = None
        if first is not None and first <= start + 1e-6:
            break
    container.seek(target, stream=stream)


def identity(video: Path, setup: str) -> dict[str, Any] | None:
    """What a checkpoint must match: the file's size and modification time, and a hash of `setup`
    (the scan's settings and what the probe found, which decide the result). None for a file that
    cannot be read (the scan says what is wrong with it)."""
    try:
        st = video.stat()
    except OSError:
        return None
    digest = hashlib.sha256(setup.encode("utf-8")).hexdigest()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "setup": digest}


def remove(folder: Path) -> None:
    """Delete a checkpoint (nothing if there is none)."""
    shutil.rmtree(folder, ignore_errors=True)


def save(folder: Path, ident: dict[str, Any], state: ScanState, detector: ShotDetector) -> int | None:
    """Write a checkpoint; its size in bytes, or None when it was not written (logged, not raised:
    a scan goes on without checkpoints)."""
    frames = detector._frames
    if len({f.grid.shape for f in frames}) != 1 or len({t.shape for t in state.sprite_tiles}) > 1:
        return None  # the picture size changed in the window: wait for the next boundary
    hist_rows = [i for i, f in enumerate(frames) if f.hist is not None]
    grids = np.stack([f.grid for f in frames])
    arrays: dict[str, npt.NDArray[Any]] = {
        # samples of 8-bit planes: stored as bytes, half the size (int16 only if ever needed)
        "grids": grids.astype(np.uint8) if grids.min() >= 0 and grids.max() <= 255 else grids,
        "hists": np.stack([cast(F32, frames[i].hist) for i in hist_rows])
        if hist_rows
        else np.zeros((0, 32), np.float32),
        "tiles": np.stack(state.sprite_tiles) if state.sprite_tiles else np.zeros((0, 1, 1, 3), np.uint8),
    }
    manifest = {
        "version": _VERSION,
        "identity": ident,
        "scan": {
            **{k: v for k, v in asdict(state).items() if k not in ("transition", "scenes", "sprite_tiles")},
            "transition": asdict(state.transition),
            "scenes": [asdict(s) for s in state.scenes],
        },
        "detector": _detector_fields(detector, hist_rows),
    }
    tmp: Path | None = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix="state-", suffix=".npz", dir=folder)
        tmp = Path(name)
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, allow_pickle=False, **arrays)
            fh.flush()
            os.fsync(fh.fileno())
        manifest["arrays"] = tmp.name
        text = json.dumps({"sha256": _digest(manifest), "manifest": manifest})
        size = tmp.stat().st_size + len(text)
        write_text_atomic(folder / _MANIFEST, text)  # the last step: the checkpoint is the new one
    except (OSError, ValueError) as exc:
        log.warning("The scan checkpoint could not be written (%s); the scan goes on without it", exc)
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        return None
    for stale in folder.glob("state-*.npz"):  # the previous checkpoint's, or a torn write's
        if stale.name != tmp.name:
            stale.unlink(missing_ok=True)
    return size


def load(folder: Path, ident: dict[str, Any], params: ShotParams) -> Resume | None:
    """The checkpoint in `folder` if there is one that matches `ident` and reads whole, else None."""
    path = folder / _MANIFEST
    if not path.is_file():
        return None
    try:
        outer = json.loads(path.read_text(encoding="utf-8"))
        manifest = outer["manifest"]
        if outer["sha256"] != _digest(manifest):  # a damaged file that still parses
            raise ValueError("the manifest does not match its checksum")
        if manifest.get("version") != _VERSION or manifest.get("identity") != ident:
            log.info("The scan checkpoint belongs to another file or other settings: ignored")
            return None
        name = str(manifest["arrays"])
        if Path(name).name != name:
            raise ValueError("bad file name")
        with (folder / name).open("rb") as fh, np.load(fh, allow_pickle=False) as npz:
            grids, hists, tiles = npz["grids"], npz["hists"], npz["tiles"]
        state = _scan_state(manifest["scan"], tiles)
        for scene in state.scenes:  # the closed scenes' pictures were on disk when it was saved
            for picture in (scene.thumbnail, *(k.path for k in scene.samples)):
                if not (folder.parent / picture).is_file():
                    raise ValueError(f"{picture} is missing")
        return state, _detector(manifest["detector"], grids, hists, params)
    except _DAMAGED as exc:
        log.warning("The scan checkpoint cannot be read (%s): the scan starts from the beginning", exc)
        return None


# -- the detector's fields ---------------------------------------------------------------------


def _boundary(d: dict[str, Any]) -> Boundary:
    kind = str(d["kind"])
    if kind not in _KINDS:
        raise ValueError(f"unknown boundary kind {kind!r}")
    return Boundary(
        float(d["time"]), cast(Any, kind), float(d["start"]), float(d["end"]), float(d["strength"])
    )


def _detector_fields(det: ShotDetector, hist_rows: list[int]) -> dict[str, Any]:
    frames = det._frames
    return {
        "times": [f.time for f in frames],
        "scores": [f.score for f in frames],
        "lumas": [f.luma for f in frames],
        "darks": [f.dark for f in frames],
        "hist_rows": hist_rows,
        "base": det._base,
        "next_cut": det._next_cut,
        "next_gradual": det._next_gradual,
        "run": [list(r) for r in det._run],
        "run_gap": det._run_gap,
        "motion": det._motion,
        "black_from": det._black_from,
        "lit_seen": det._lit_seen,
        "fades": [list(f) for f in det._fades],
        "proposed": [asdict(b) for b in det._proposed],
        "last": det._last,
        "ended": det._ended,
        "boundaries": [asdict(b) for b in det.boundaries],
    }


def _detector(d: dict[str, Any], grids: I16, hists: F32, params: ShotParams) -> ShotDetector:
    times, scores, lumas, darks = d["times"], d["scores"], d["lumas"], d["darks"]
    n = len(times)
    if grids.dtype not in (np.uint8, np.int16) or grids.ndim != 4 or grids.shape[0] != n or n == 0:
        raise ValueError("grids do not match the frames")
    grids = grids.astype(np.int16)
    rows = [int(i) for i in d["hist_rows"]]
    if hists.dtype != np.float32 or hists.shape[0] != len(rows) or any(not 0 <= i < n for i in rows):
        raise ValueError("histograms do not match the frames")
    hist_of = dict(zip(rows, hists, strict=True))
    det = ShotDetector(params)
    det._frames = [  # `small` is a function of the grid: computed again rather than stored
        _DetectorFrame(float(t), g, half_grid(g), float(s), hist_of.get(i), float(y), bool(k))
        for i, (t, g, s, y, k) in enumerate(zip(times, grids, scores, lumas, darks, strict=True))
    ]
    gradual = get_args(Gradual)
    det._base = int(d["base"])
    det._next_cut = int(d["next_cut"])
    det._next_gradual = int(d["next_gradual"])
    det._run = [
        (int(i), float(change), cast(Gradual, _member(kind, gradual)), float(seconds))
        for i, change, kind, seconds in d["run"]
    ]
    det._run_gap = int(d["run_gap"])
    det._motion = bool(d["motion"])
    det._black_from = None if d["black_from"] is None else int(d["black_from"])
    det._lit_seen = bool(d["lit_seen"])
    det._fades = [(int(a), int(b)) for a, b in d["fades"]]
    det._proposed = [_boundary(b) for b in d["proposed"]]
    det._last = float(d["last"])
    det._ended = bool(d["ended"])
    det.boundaries = [_boundary(b) for b in d["boundaries"]]
    return det


def _member(value: Any, allowed: tuple[Any, ...]) -> Any:
    if value not in allowed:
        raise ValueError(f"unexpected value {value!r}")
    return value


# -- the scan's fields -------------------------------------------------------------------------


def _scan_state(d: dict[str, Any], tiles: U8) -> ScanState:
    if tiles.dtype != np.uint8 or tiles.ndim != 4:
        raise ValueError("sprite tiles are not pictures")
    pending = [(float(t), float(dy)) for t, dy in d["pending"]]
    if not pending or pending[0][0] != float(d["start"]):
        raise ValueError("the pending frames do not start at the open scene")
    return ScanState(
        start=float(d["start"]),
        index=int(d["index"]),
        transition=_boundary(d["transition"]),
        pending=pending,
        taken=int(d["taken"]),
        count=int(d["count"]),
        errors=int(d["errors"]),
        last_time=float(d["last_time"]),
        bt709=bool(d["bt709"]),
        full_range=bool(d["full_range"]),
        rotation=int(d["rotation"]),
        scenes=[Scene.from_dict(s) for s in d["scenes"]],
        sprite_next=float(d["sprite_next"]),
        sprite_tiles=list(tiles),
    )


def _digest(manifest: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(manifest, sort_keys=True).encode("utf-8")).hexdigest()
