"""Serving a video's own files: the media with Range support, thumbnails, subtitles text."""

from __future__ import annotations

import re
import unicodedata

MEDIA_TYPES = {
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "matroska": "video/x-matroska",
    "webm": "video/webm",
    "avi": "video/x-msvideo",
    "mpegts": "video/mp2t",
    "ogg": "video/ogg",
    "flv": "video/x-flv",
}


def media_type(container: str) -> str:
    """The HTTP type of a container as FFmpeg names it (``mov,mp4,m4a,3gp,3g2,mj2`` gives video/mp4)."""
    names = container.split(",")
    for name in ("mp4", *names):
        if name in names and name in MEDIA_TYPES:
            return MEDIA_TYPES[name]
    return "application/octet-stream"


def display_name(filename: str) -> str:
    """A user's file name made safe to keep and show: no folders, no control characters."""
    name = re.split(r"[\\/]", filename)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    return name[:255] or "video"
