"""Rendering scenes that carry recordings: how real read speech is wrapped into a video.

The spec videos of the evaluation are made by the repository's generator (tests/media/generate.py);
it speaks each scene's sentence with espeak-ng. The read-speech video needs recordings instead, so
its scenes are rendered here the same way (lavfi picture, two lines of DejaVu text, the sound from
one second into the scene) with a `Truth` of the same shape: scenes with start, end, text and speech.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

FONT_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
FONT_REGULAR = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
SPEECH_OFFSET = 1.0


@dataclass(frozen=True)
class Scene:
    duration: float
    source: str
    extra: str = ""
    text1: str = ""
    text2: str = ""
    boxed: bool = False
    sentence: str = ""
    audio: Path | None = None


@dataclass
class Truth:
    """Where each scene is in the rendered video, what it shows and what it says."""

    duration: float
    scenes: list[dict[str, object]] = field(default_factory=list)

    def span(self, index: int) -> tuple[float, float]:
        scene = self.scenes[index]
        return float(scene["start"]), float(scene["end"])  # type: ignore[arg-type]


def _duration_of(path: Path) -> float:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    return float(out.stdout.strip())


def _video_chain(scene: Scene, index: int, width: int, height: int, fps: int) -> str:
    size = f"s={width}x{height}:r={fps}:d={scene.duration}"
    source = f"{scene.source}:{size}" if "=" in scene.source else f"{scene.source}={size}"
    chain = f"{source},format=yuv420p"
    if scene.extra:
        chain += f",{scene.extra}"
    box = ":box=1:boxcolor=black@0.65:boxborderw=14" if scene.boxed else ""
    if scene.text1:
        chain += (
            f",drawtext=fontfile={FONT_BOLD}:text='{scene.text1}':fontsize={height * 64 // 720}"
            f":fontcolor=white:x=(w-text_w)/2:y=h/2-{height * 110 // 720}{box}"
        )
    if scene.text2:
        chain += (
            f",drawtext=fontfile={FONT_REGULAR}:text='{scene.text2}':fontsize={height * 40 // 720}"
            f":fontcolor=white:x=(w-text_w)/2:y=h/2+{height * 10 // 720}{box}"
        )
    return f"{chain},setpts=PTS-STARTPTS[v{index}];"


def render(scenes: list[Scene], out: Path, *, width: int = 1280, height: int = 720, fps: int = 30) -> Truth:
    """Render the scenes into `out` (H.264 and AAC in MP4) and return the ground truth."""
    for tool in ("ffmpeg", "ffprobe", "espeak-ng"):
        if shutil.which(tool) is None:
            raise RuntimeError(f"{tool} is needed to make the evaluation videos")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        graph, concat, inputs, mix, mixed = "", "", [], "", ""
        truth = Truth(duration=0.0)
        start = 0.0
        for index, scene in enumerate(scenes):
            graph += _video_chain(scene, index, width, height, fps)
            concat += f"[v{index}]"
            end = start + scene.duration
            entry: dict[str, object] = {
                "index": index,
                "start": round(start, 3),
                "end": round(end, 3),
                "text": [t for t in (scene.text1, scene.text2) if t],
            }
            audio = scene.audio
            if audio is None and scene.sentence:
                audio = Path(tmp) / f"s{index}.wav"
                subprocess.run(
                    ["espeak-ng", "-v", "en-us", "-s", "160", "-w", str(audio), scene.sentence], check=True
                )
            if audio is not None:
                said_start = start + SPEECH_OFFSET
                entry["speech"] = {
                    "start": round(said_start, 3),
                    "end": round(said_start + _duration_of(audio), 3),
                    "text": scene.sentence,
                }
                inputs += ["-i", str(audio)]
                n = len(inputs) // 2
                mix += f"[{n}:a]aresample=48000,adelay=delays={int(said_start * 1000)}:all=1[a{index}];"
                mixed += f"[a{index}]"
            truth.scenes.append(entry)
            start = end
        truth.duration = round(start, 3)
        graph += f"{concat}concat=n={len(scenes)}:v=1:a=0[vout]"
        audio_map: list[str] = []
        if inputs:
            graph += (
                f";{mix}{mixed}amix=inputs={len(inputs) // 2}:duration=longest:normalize=0,"
                f"apad=whole_dur={start},atrim=0:{start},aformat=channel_layouts=stereo[aout]"
            )
            audio_map = ["-map", "[aout]", "-c:a", "aac", "-b:a", "128k", "-ar", "48000"]
        subprocess.run(
            [
                "ffmpeg",
                "-hide_banner",
                "-loglevel",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                "anullsrc=r=48000:cl=mono:d=0.1",
                *inputs,
                "-filter_complex",
                graph,
                "-map",
                "[vout]",
                *audio_map,
                "-c:v",
                "libx264",
                "-preset",
                "medium",
                "-crf",
                "23",
                "-pix_fmt",
                "yuv420p",
                "-r",
                str(fps),
                "-movflags",
                "+faststart",
                "-t",
                str(start),
                str(out),
            ],
            check=True,
        )
    return truth
