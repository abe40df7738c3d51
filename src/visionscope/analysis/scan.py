"""One decode pass that serves shots, keyframes, thumbnails, the timeline sprite and visual stats.

Every frame is decoded once with PyAV (codec threads on). Its Y, U and V planes are read as
numpy views and sampled on a grid about 160 samples wide, which costs microseconds; the
cut detector, brightness, motion and colours all work on those grids. Full pictures are only
converted for the few frames that become keyframes and sprite tiles.

At scene boundaries the scan saves a checkpoint (`scan_checkpoint.py`); a scan that finds one
seeks to it and goes on from there, with the same result as a scan that was never stopped.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import av
import av.container
import numpy as np
from PIL import Image

from . import scan_checkpoint as checkpoint
from .decode import grid, luma_change, open_video
from .errors import MediaRejected
from .probe import MediaInfo
from .results import Keyframe, ScanResult, Scene
from .scan_checkpoint import Resume
from .shots import Boundary, ShotDetector, ShotParams
from .sprite import SpriteMaker, even
from .visual import I16, brightness_level, dominant_colors, motion_level

log = logging.getLogger(__name__)
ProgressFn = Callable[[float], None]
SceneFn = Callable[[Scene], None]


@dataclass(frozen=True, slots=True)
class ScanOptions:
    """Settings of the decode pass."""

    grid_width: int = 160
    decode_threads: int = 0
    """Decoder threads; 0 lets FFmpeg choose (one per core and one more)."""
    skip_nonref_frames: bool = True
    """Let the decoder skip frames no other frame refers to (most B-frames): about half the frames
    of a typical H.264 file, and nearly half the decoding work. Cut times then fall on the next
    decoded frame (within 2-3 frames; encoders put an I-frame at a cut anyway); turn it off for
    frame-exact cuts."""
    shots: ShotParams = field(default_factory=ShotParams)
    keyframe_max_side: int = 1280
    thumbnail_width: int = 320
    jpeg_quality: int = 88
    sprite_tile_width: int = 160
    sprite_columns: int = 10
    sprite_max_tiles: int = 100
    text_sample_interval: float = 20.0
    """A scene longer than twice this gets extra keyframes for on-screen text, about this far apart."""
    max_samples: int = 9
    ladder_size: int = 16
    change_samples: tuple[float, ...] = (0.1, 0.9)
    """Frames at these shares of a scene are keyframes too, for on-screen text, when part of the
    picture changed from the middle one by at least `local_change` (mean luma of an 8x8 block of
    the grid): text that appears late or goes early."""
    local_change: float = 30.0
    checkpoint_seconds: float = 10.0
    """Save a checkpoint at a scene boundary when at least this many seconds (wall clock) have
    passed since the last one, in `scan.checkpoint/` of the output folder; 0 turns them off."""


@dataclass(slots=True)
class _Frame:
    time: float
    frame: av.VideoFrame
    grid: I16


@dataclass(slots=True)
class _SceneAcc:
    """What is gathered about the open scene while its frames go by."""

    index: int
    start: float
    transition: Boundary | None = None
    frames: int = 0
    motion_sum: float = 0.0
    motion_n: int = 0
    stride: int = 1
    ladder: list[tuple[int, _Frame]] = field(default_factory=list)

    def add(self, rec: _Frame, dy: float, capacity: int) -> None:
        if self.frames > 0:
            self.motion_sum += dy
            self.motion_n += 1
        if self.frames % self.stride == 0:
            self.ladder.append((self.frames, rec))
            if len(self.ladder) > capacity:
                self.stride *= 2
                self.ladder = [item for item in self.ladder if item[0] % self.stride == 0]
        self.frames += 1


class _Writer:
    """Writes scene pictures in a background thread (JPEG encoding releases the GIL)."""

    def __init__(self, out_dir: Path, opts: ScanOptions, on_scene: SceneFn | None) -> None:
        self.out_dir = out_dir
        self.opts = opts
        self.on_scene = on_scene
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vs-scan-writer")
        self.jobs: list[Future[None]] = []
        (out_dir / "keyframes").mkdir(parents=True, exist_ok=True)
        (out_dir / "thumbnails").mkdir(parents=True, exist_ok=True)

    def submit(self, scene: Scene, images: Sequence[Image.Image]) -> None:
        self.jobs.append(self.pool.submit(self._write, scene, list(images)))

    def _write(self, scene: Scene, images: list[Image.Image]) -> None:
        q = self.opts.jpeg_quality
        for sample, image in zip(scene.samples, images, strict=True):
            image.save(self.out_dir / sample.path, "JPEG", quality=q)
        main = images[[s.path for s in scene.samples].index(scene.keyframe)]
        tw = self.opts.thumbnail_width
        thumb = main.resize(
            (tw, even(main.height * tw / main.width)), Image.Resampling.BILINEAR, reducing_gap=2.0
        )
        thumb.save(self.out_dir / scene.thumbnail, "JPEG", quality=80)
        if self.on_scene is not None:
            self.on_scene(scene)

    def close(self) -> None:
        try:
            for job in self.jobs:
                job.result()
        finally:
            self.pool.shutdown(wait=True)


class _Scanner:
    def __init__(self, info: MediaInfo, out_dir: Path, opts: ScanOptions, on_scene: SceneFn | None) -> None:
        self.info = info
        self.out_dir = out_dir
        self.opts = opts
        self.writer = _Writer(out_dir, opts, on_scene)
        self.sprite = SpriteMaker(info, opts.sprite_tile_width, opts.sprite_columns, opts.sprite_max_tiles)
        self.detector = ShotDetector(opts.shots)
        self.scenes: list[Scene] = []
        self.acc: _SceneAcc | None = None
        self.pending: deque[tuple[_Frame, float]] = deque()
        self.taken = 0  # boundaries of the detector already started
        self.bt709 = info.height >= 720
        self.full_range = False
        self.rotation = 0
        self.count = self.errors = 0
        self.last_time = 0.0
        self.on_boundary: Callable[[_Frame, float], None] | None = None  # a scene opens (checkpoints)

    def first_frame(self, frame: av.VideoFrame) -> None:
        """Take colour matrix, range and display rotation from the first frame."""
        self.full_range = frame.format.name.startswith("yuvj") or frame.color_range == 2
        if frame.colorspace == 1:
            self.bt709 = True
        elif frame.colorspace in (5, 6):
            self.bt709 = False
        self.rotation = round(frame.rotation or 0) % 360

    def push(self, rec: _Frame, dy: float) -> None:
        self.pending.append((rec, dy))
        self.count += 1
        self.last_time = rec.time
        self.detector.push(rec.time, rec.grid)
        horizon = self.detector.horizon
        while self.pending and self.pending[0][0].time < horizon:
            self._commit(*self.pending.popleft())

    def finish(self, end_time: float) -> None:
        self.on_boundary = None
        self.detector.finish(end_time)
        while self.pending:
            self._commit(*self.pending.popleft())
        if self.acc is not None:
            self._close(self.acc, end_time)

    def run(
        self, path: Path, on_progress: ProgressFn | None, ident: dict[str, Any] | None, resume: Resume | None
    ) -> ScanResult:
        info, opts = self.info, self.opts
        container, stream = open_video(path, opts.skip_nonref_frames, opts.decode_threads)
        fps = info.fps or 25.0
        prev: _Frame | None = None
        replay = checkpoint.Replay(*resume) if resume is not None else None
        decoded = 0
        next_report = 0.0

        def report(time: float) -> float:
            if on_progress is not None and info.duration > 0:
                on_progress(min(0.99, time / info.duration))
            return time + max(0.5, info.duration / 100)

        if resume is not None:
            checkpoint.restore(self, *resume)
            self.acc = _SceneAcc(resume[0].index, resume[0].start, resume[0].transition)
            checkpoint.seek(container, stream, resume[0].start)
        if ident is not None:
            self.on_boundary = checkpoint.Saver(self, ident, opts.checkpoint_seconds)
        try:
            for packet in container.demux(stream):
                try:
                    frames = packet.decode()
                except av.error.InvalidDataError:
                    self.errors += 0 if replay else 1  # (those before the checkpoint were counted)
                    continue
                for frame in frames:
                    decoded += 1
                    t = frame.time
                    time = float(t) if t is not None else self.count / fps
                    if prev is not None and time <= prev.time:
                        time = prev.time + 1.0 / fps
                    if self.count == 0:
                        self.first_frame(frame)
                    rec = _Frame(time, frame, grid(frame, opts.grid_width))
                    if replay:  # frames the checkpoint had given the detector: put back as they were
                        if time >= replay.start:  # (those before the open scene were analysed)
                            replay.put_back(self, rec)
                            next_report = next_report if replay else report(time)
                        prev = rec
                        continue
                    dy = luma_change(rec.grid, prev.grid if prev is not None else None)
                    if prev is not None:  # motion per frame interval, also across skipped frames
                        dy /= max(1, round((time - prev.time) * fps))
                    self.push(rec, dy)
                    prev = rec
                    if time >= next_report:
                        next_report = report(time)
            if replay:
                raise checkpoint.Mismatch("the video ends before the frames of the checkpoint")
            if self.count == 0:
                raise MediaRejected(
                    "The video has no picture that can be decoded: the file is damaged or incomplete."
                )
            # Skipped frames may follow the last decoded one: reach towards the header's duration by a few.
            last = self.last_time
            duration = max(last + 1.0 / fps, min(info.duration, last + 4.0 / fps))
            self.finish(duration)
        finally:
            container.close()
            self.writer.close()
        sprite = self.sprite.save(self.out_dir)
        if resume is not None:
            extra = {"resumed_at": resume[0].start, "decoded": decoded}
            log.info("The scan went on from a checkpoint at %(resumed_at).3f s", extra, extra=extra)
        if on_progress is not None:
            on_progress(1.0)
        return ScanResult(
            duration=round(duration, 3),
            frames=self.count,
            decode_errors=self.errors,
            scenes=tuple(self.scenes),
            sprite=sprite,
        )

    def _commit(self, rec: _Frame, dy: float) -> None:
        found = self.detector.boundaries
        boundary: Boundary | None = None
        while self.taken < len(found) and found[self.taken].time <= rec.time:
            boundary = found[self.taken]
            self.taken += 1
        if self.acc is None:
            self.acc = _SceneAcc(index=0, start=0.0)
        elif boundary is not None:
            self._close(self.acc, rec.time)
            self.acc = _SceneAcc(index=self.acc.index + 1, start=rec.time, transition=boundary)
            if self.on_boundary is not None:
                self.on_boundary(rec, dy)
        self.acc.add(rec, dy, self.opts.ladder_size)
        self.sprite.offer(rec.time, rec.frame)

    def _close(self, acc: _SceneAcc, end: float) -> None:
        length = max(end - acc.start, 0.0)
        pairs = max(0, int(length / (2 * self.opts.text_sample_interval)))
        count = min(self.opts.max_samples, 2 * pairs + 1)
        targets = [acc.start + (i + 0.5) * length / count for i in range(count)]
        chosen: list[_Frame] = []
        for target in targets:
            best = min((rec for _, rec in acc.ladder), key=lambda r: abs(r.time - target))
            if all(best is not c for c in chosen):
                chosen.append(best)
        middle = min(chosen, key=lambda r: abs(r.time - (acc.start + length / 2)))
        # text that appears or goes within the scene (looked for after its opening transition)
        settled = acc.transition.end if acc.transition is not None else acc.start
        first = min(max(acc.start, settled), acc.start + length / 2)
        for share in self.opts.change_samples:
            at = first + share * (end - first)
            near = min((rec for _, rec in acc.ladder), key=lambda r: abs(r.time - at))
            if (
                all(near is not c for c in chosen)
                and _local_change(near.grid, middle.grid) >= self.opts.local_change
            ):
                chosen.append(near)
        chosen.sort(key=lambda r: r.time)
        side = self.opts.keyframe_max_side
        scale = min(1.0, side / max(self.info.width, self.info.height))
        kw, kh = even(self.info.width * scale), even(self.info.height * scale)
        samples: list[Keyframe] = []
        images: list[Image.Image] = []
        for k, rec in enumerate(chosen):
            name = f"keyframes/{acc.index:04d}.jpg" if rec is middle else f"keyframes/{acc.index:04d}_{k}.jpg"
            samples.append(Keyframe(time=round(rec.time, 3), path=name))
            image: Image.Image = rec.frame.to_image(width=kw, height=kh)  # type: ignore[no-untyped-call]
            if self.rotation:
                image = image.rotate(self.rotation, expand=True)
            images.append(image)
        ladder = [rec for _, rec in acc.ladder]
        luma = float(np.mean([rec.grid[0].mean() for rec in ladder]))
        colour_recs = ladder[:: max(1, len(ladder) // 4)]
        scene = Scene(
            index=acc.index,
            start=round(acc.start, 3),
            end=round(end, 3),
            keyframe=f"keyframes/{acc.index:04d}.jpg",
            keyframe_time=round(middle.time, 3),
            thumbnail=f"thumbnails/{acc.index:04d}.jpg",
            samples=tuple(samples),
            colors=dominant_colors(
                [r.grid for r in colour_recs], bt709=self.bt709, full_range=self.full_range
            ),
            brightness=brightness_level(luma, full_range=self.full_range),
            motion=motion_level(acc.motion_sum / acc.motion_n if acc.motion_n else 0.0),
            transition=acc.transition.kind if acc.transition is not None else "start",
            transition_start=round(acc.transition.start, 3) if acc.transition is not None else 0.0,
            transition_end=round(acc.transition.end, 3) if acc.transition is not None else 0.0,
        )
        self.scenes.append(scene)
        self.writer.submit(scene, images)


def _local_change(grid: I16, other: I16) -> float:
    """The largest mean absolute luma change of an 8x8 block of two grids (0..255)."""
    if grid.shape != other.shape:
        return 255.0
    h, w = (grid.shape[1] // 8) * 8, (grid.shape[2] // 8) * 8
    diff = np.abs(grid[0, :h, :w] - other[0, :h, :w]).reshape(h // 8, 8, w // 8, 8)
    return float(diff.mean(axis=(1, 3)).max())


def scan_video(
    path: str | Path,
    info: MediaInfo,
    out_dir: str | Path,
    *,
    options: ScanOptions | None = None,
    on_progress: ProgressFn | None = None,
    on_scene: SceneFn | None = None,
) -> ScanResult:
    """Decode the video once; write keyframes, thumbnails and the sprite under `out_dir`.

    `on_scene` is called (from a writer thread) with each scene once its pictures are on disk,
    so that on-screen text recognition can start while decoding goes on. A scan goes on from the
    checkpoint (`scan.checkpoint/`) an earlier scan of the same file and settings left in `out_dir`:
    its scenes are given to `on_scene` again first, and progress starts where it was.
    """
    opts = options or ScanOptions()
    out, video = Path(out_dir), Path(path)
    setup = repr((replace(opts, checkpoint_seconds=0.0), info))  # what decides the result
    ident = checkpoint.identity(video, setup) if opts.checkpoint_seconds > 0 else None
    resume = checkpoint.load(out / checkpoint.FOLDER, ident, opts.shots) if ident is not None else None
    if resume is not None:
        try:
            return _Scanner(info, out, opts, on_scene).run(video, on_progress, ident, resume)
        except checkpoint.Mismatch as exc:
            log.warning("The scan checkpoint does not match the video (%s): scanning from the start", exc)
    return _Scanner(info, out, opts, on_scene).run(video, on_progress, ident, None)


def detect_shots(
    path: str | Path,
    *,
    params: ShotParams | None = None,
    grid_width: int = 160,
    skip_nonref_frames: bool = True,
) -> list[Boundary]:
    """Shot boundaries only (no pictures, no stats): the same decode and detector as `scan_video`."""
    container, stream = open_video(Path(path), skip_nonref_frames)
    detector = ShotDetector(params)
    fps = float(stream.average_rate or 25)
    count = 0
    last = 0.0
    try:
        for frame in container.decode(stream):
            t = frame.time
            time = float(t) if t is not None else count / fps
            time = max(time, last + 1e-3) if count else time
            detector.push(time, grid(frame, grid_width))
            last = time
            count += 1
    finally:
        container.close()
    detector.finish(last + 1.0 / fps)
    return detector.boundaries
