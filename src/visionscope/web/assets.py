"""Static assets: read once, served under a content-versioned path with strong ETags and long lifetimes."""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fastapi import Request, Response

STATIC_DIR = Path(__file__).parent / "static"
IMMUTABLE = "public, max-age=31536000, immutable"
TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}


@dataclass(frozen=True)
class Asset:
    body: bytes
    media_type: str
    etag: str


@dataclass(frozen=True)
class AssetBundle:
    """Every file under ``static/``; ``version`` changes whenever any of them does."""

    version: str
    files: dict[str, Asset]

    def url(self, relative: str) -> str:
        return f"/static/{self.version}/{relative}"


@cache
def bundle() -> AssetBundle:
    files: dict[str, Asset] = {}
    overall = hashlib.sha256()
    for path in sorted(p for p in STATIC_DIR.rglob("*") if p.is_file()):
        relative = path.relative_to(STATIC_DIR).as_posix()
        body = path.read_bytes()
        digest = hashlib.sha256(body).hexdigest()
        overall.update(relative.encode() + b"\0" + digest.encode())
        guessed = mimetypes.guess_type(path.name)[0]
        media_type = TYPES.get(path.suffix) or guessed or "application/octet-stream"
        files[relative] = Asset(body=body, media_type=media_type, etag=f'"{digest[:32]}"')
    return AssetBundle(version=overall.hexdigest()[:12], files=files)


def asset_response(request: Request, version: str, relative: str) -> Response:
    """The asset; 304 when the browser holds it. An old version's URL gets the current file, uncached."""
    assets = bundle()
    asset = assets.files.get(relative)
    if asset is None:
        return Response("Not found", status_code=404, media_type="text/plain")
    caching = IMMUTABLE if version == assets.version else "no-cache"
    headers = {"ETag": asset.etag, "Cache-Control": caching, "X-Content-Type-Options": "nosniff"}
    if asset.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(asset.body, media_type=asset.media_type, headers=headers)
