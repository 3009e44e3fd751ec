"""The run page's playable media: audio, video and HTML files the browser can show.

Audio and video go to the page as data URLs for ``<audio>``/``<video>``/``<img>`` (an
animated GIF); HTML as text the page puts in an ``<iframe sandbox>`` (no scripts, no
same-origin access). 3D objects and molecules are only listed with the run's files:
showing them needs a viewer nbtrack does not bundle.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

from .messages import MediaKind, PlayableMedia

MAX_ITEMS = 12
MAX_BYTES = 2_000_000

_MIME = {
    "wav": "audio/wav", "mp3": "audio/mpeg", "ogg": "audio/ogg", "oga": "audio/ogg", "flac": "audio/flac",
    "m4a": "audio/mp4", "aac": "audio/aac", "opus": "audio/ogg", "webm": "video/webm", "mp4": "video/mp4",
    "ogv": "video/ogg", "mov": "video/quicktime", "gif": "image/gif", "html": "text/html",
}
_KINDS: dict[str, MediaKind] = {"media/audio/": "audio", "media/videos/": "video", "media/html/": "html"}


def _kind(name: str) -> MediaKind | None:
    for prefix, kind in _KINDS.items():
        if name.startswith(prefix):
            return "gif" if kind == "video" and name.endswith(".gif") else kind
    return None


def is_playable(name: str) -> bool:
    """True for a run file this module shows (so the image strip can leave it out)."""
    return _kind(name) is not None


def playable(files: Sequence[Any]) -> list[PlayableMedia]:
    """Up to MAX_ITEMS playable media of a run (``ApiFile``-like: name, size, kind, read())."""
    out: list[PlayableMedia] = []
    for f in files:
        kind = _kind(f.name) if f.kind == "media" else None
        if kind is None or f.size > MAX_BYTES or len(out) >= MAX_ITEMS:
            continue
        try:
            data = f.read()
        except OSError:
            continue
        if kind == "html":
            out.append({"name": f.name, "kind": kind, "html": data.decode("utf-8", "replace")})
            continue
        ext = f.name.rsplit(".", 1)[-1].lower()
        mime = _MIME.get(ext, "application/octet-stream")
        if kind == "video" and ext == "webm":
            mime = "video/webm"
        out.append({"name": f.name, "kind": kind, "src": f"data:{mime};base64," + base64.b64encode(data).decode("ascii")})
    return out
