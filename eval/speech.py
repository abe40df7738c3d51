"""The video of real read speech: human recordings with known text, wrapped into coloured scenes.

The recordings are the test data of the pocketsphinx speech recogniser, shipped by the Debian
package `pocketsphinx-testdata` (BSD licence) in /usr/share/pocketsphinx/test/data: five passages
of Jane Austen's *Sense and Sensibility* read by a LibriVox volunteer (public domain), five
playing cards called out, and a spoken robot command. Their words are the package's own
transcriptions. Each recording gets a scene of its own, two seconds longer than the recording.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from eval.media import Scene

DATA = Path("/usr/share/pocketsphinx/test/data")
PACKAGE = "pocketsphinx-testdata"
LIBRIVOX = "librivox/sense_and_sensibility_01_austen_64kb-{}.wav"

READINGS: list[tuple[str, str, str, str]] = [
    # (recording, background, text 1, its known words)
    (
        LIBRIVOX.format("0870"),
        "color=c=0x2e4053",
        "The Dashwood Family",
        "and mister john dashwood had then leisure to consider how much there might be prudently "
        "in his power to do for them",
    ),
    (LIBRIVOX.format("0880"), "color=c=0x6e2c00", "", "he was not an ill disposed young man"),
    (
        LIBRIVOX.format("0890"),
        "color=c=0x1b4f72",
        "",
        "unless to be rather cold hearted and rather selfish is to be ill disposed",
    ),
    (
        LIBRIVOX.format("0920"),
        "color=c=0x4a235a",
        "",
        "had he married a more a amiable woman he might have been made still more respectable than he was",
    ),
    (LIBRIVOX.format("0930"), "color=c=0x145a32", "", "he might even have been made amiable himself"),
    ("cards/001.wav", "color=c=0x7b241c", "Calling The Cards", "ten of clubs"),
    ("cards/002.wav", "color=c=0x1a5276", "", "four queen of clubs"),
    ("cards/003.wav", "color=c=0x7d6608", "", "seven of clubs"),
    ("cards/004.wav", "color=c=0x0e6251", "", "five five"),
    ("cards/005.wav", "color=c=0x5b2c6f", "", "eight of spades four of clubs seven of hearts"),
    ("goforward.raw", "color=c=0x515a5a", "Robot Commands", "go forward ten meters"),
]


def available() -> bool:
    return all((DATA / name).is_file() for name, *_ in READINGS)


def _wav(name: str, work: Path) -> Path:
    source = DATA / name
    if source.suffix == ".wav":
        return source
    target = work / (source.stem + ".wav")
    subprocess.run(
        [
            "ffmpeg",
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "s16le",
            "-ar",
            "16000",
            "-ac",
            "1",
            "-i",
            str(source),
            str(target),
        ],
        check=True,
    )
    return target


def _length(path: Path) -> float:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    return float(out.stdout.strip())


def reading_scenes(work: Path) -> list[Scene]:
    """The scenes of the reading video; `available()` first, the recordings must be installed."""
    if not available():
        raise FileNotFoundError(f"install the Debian package {PACKAGE} for the read-speech video")
    work.mkdir(parents=True, exist_ok=True)
    scenes = [Scene(4.0, "color=c=0x0b3d2e", "", "Sense and Sensibility", "Jane Austen, Chapter One", True)]
    for name, background, title, words in READINGS:
        audio = _wav(name, work)
        duration = round(_length(audio) + 2.0, 2)
        scenes.append(Scene(duration, background, "", title, "", True, words, audio))
    scenes.append(
        Scene(4.0, "color=c=0x0b3d2e", "", "Thank You For Listening", "Recordings in the Public Domain", True)
    )
    return scenes
