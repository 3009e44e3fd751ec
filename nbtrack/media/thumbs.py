"""Thumbnails of the images made in this process, for the live widget.

``Image()`` only registers its encoded bytes here (no extra work at construction);
``thumbnail(sha)`` makes the PNG thumbnail on first request and keeps it instead.
The cache is an LRU bounded both in entries and in bytes held.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict

MAX_ENTRIES = 64
MAX_BYTES = 64 * 1024 * 1024
THUMB_SIDE = 128

_lock = threading.Lock()
# sha256 -> (is_thumbnail, bytes)
_cache: OrderedDict[str, tuple[bool, bytes]] = OrderedDict()
_held = 0


def _evict() -> None:
    global _held
    while _cache and (len(_cache) > MAX_ENTRIES or _held > MAX_BYTES):
        _, (_, data) = _cache.popitem(last=False)
        _held -= len(data)


def remember(sha256: str, encoded: bytes) -> None:
    """Register an image's encoded bytes so ``thumbnail`` can make one later."""
    global _held
    with _lock:
        old = _cache.pop(sha256, None)
        if old is not None:
            _cache[sha256] = old  # already known: just refresh its place
            return
        _cache[sha256] = (False, encoded)
        _held += len(encoded)
        _evict()


def make_thumbnail(encoded: bytes, side: int = THUMB_SIDE) -> bytes:
    """A PNG no larger than ``side`` pixels on its longer edge."""
    from PIL import Image as PILImage

    with PILImage.open(io.BytesIO(encoded)) as img:
        img.draft("RGB", (side, side))  # cheap JPEG downscale while decoding
        img.seek(0)
        thumb = img.convert("RGBA" if "A" in img.getbands() or img.mode == "P" else "RGB")
        thumb.thumbnail((side, side))
        out = io.BytesIO()
        thumb.save(out, format="PNG")
    return out.getvalue()


def thumbnail(sha256: str) -> bytes | None:
    """PNG thumbnail (max 128 px side) of an image created in this process, else None."""
    global _held
    with _lock:
        entry = _cache.get(sha256)
        if entry is None:
            return None
        _cache.move_to_end(sha256)
        if entry[0]:
            return entry[1]
        encoded = entry[1]
    try:
        thumb = make_thumbnail(encoded)
    except Exception:  # boundary: a picture PIL cannot decode (any error) gets no thumbnail
        return None
    with _lock:
        current = _cache.get(sha256)
        if current is not None and not current[0]:
            _cache[sha256] = (True, thumb)
            _held += len(thumb) - len(current[1])
    return thumb


def clear() -> None:
    """Forget every registered image (tests)."""
    global _held
    with _lock:
        _cache.clear()
        _held = 0
