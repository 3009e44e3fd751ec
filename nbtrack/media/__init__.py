"""Media values a run can log (``Image`` for now) and how they become stored refs.

A logged value is either a single ``Image`` or a gallery: a non-empty list/tuple of
``Image`` objects under one key. ``media_ref`` turns them into what a history row holds:

- ``Image``  -> ``{"_type": "image-file", "sha256", "path", "format", "width", "height",
  "size", "caption"?, ...}``
- gallery    -> ``{"_type": "images/separated", "count": n, "items": [image ref, ...]}``

(one dict, so every media value in a row is a dict with a ``"_type"`` key). The bytes to
write into the blob store come from ``media_blobs`` as (sha256, bytes), deduplicated.
"""

from __future__ import annotations

from typing import Any

from nbtrack.media.data import Histogram, Table
from nbtrack.media.image import Image
from nbtrack.media.table_sets import JoinedTable, PartitionedTable
from nbtrack.media.thumbs import thumbnail

__all__ = ["GALLERY_TYPE", "Histogram", "Image", "JoinedTable", "PartitionedTable", "Table", "is_media",
           "media_blobs", "media_path", "media_ref", "thumbnail"]

_DATA_TYPES = (Table, Histogram)

GALLERY_TYPE = "images/separated"


def _is_gallery(value: Any) -> bool:
    return (
        isinstance(value, (list, tuple))
        and len(value) > 0
        and all(isinstance(v, Image) for v in value)
    )


def is_media(value: Any) -> bool:
    """True for an ``Image``, a ``Table``, a ``Histogram``, or a non-empty list/tuple made
    only of ``Image`` objects."""
    return isinstance(value, (Image, *_DATA_TYPES)) or _is_gallery(value)


def media_ref(value: Any) -> dict[str, Any] | None:
    """The stored reference for a media value (see module doc); None if not media."""
    if isinstance(value, (Image, *_DATA_TYPES)):
        return value.to_ref()
    if _is_gallery(value):
        items = [v.to_ref() for v in value]
        return {"_type": GALLERY_TYPE, "count": len(items), "items": items}
    return None


def media_blobs(value: Any) -> list[tuple[str, bytes]]:
    """(sha256, encoded bytes) for every file a media value needs stored, no duplicates."""
    if isinstance(value, Image):
        images = [value]
    elif _is_gallery(value):
        images = list(value)
    elif isinstance(value, Table):
        images = value.media()
    else:
        return []
    seen: set[str] = set()
    out: list[tuple[str, bytes]] = []
    for img in images:
        for sha, data in img.blobs():
            if sha not in seen:
                seen.add(sha)
                out.append((sha, data))
    return out


def media_path(ref: Any, sha: str) -> str:
    """The path a media reference (an image, a gallery, a table's media cells) gives the
    blob `sha` (``media/<sha[:20]>`` when none names it)."""
    found = _find_path(ref, sha)
    return found if found is not None else f"media/{sha[:20]}"


def _find_path(ref: Any, sha: str) -> str | None:
    if isinstance(ref, dict):
        if ref.get("sha256") == sha and "path" in ref:
            return str(ref["path"])
        values: Any = ref.values()
    elif isinstance(ref, list):
        values = ref
    else:
        return None
    for value in values:
        if isinstance(value, (dict, list)):
            found = _find_path(value, sha)
            if found is not None:
                return found
    return None
