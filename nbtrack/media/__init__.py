"""Media values a run can log and how they become stored refs.

A logged value is a single media value or a gallery: a non-empty list/tuple of values
of one file-backed media class under one key. ``media_ref`` turns them into what a
history row holds:

- ``Image``  -> ``{"_type": "image-file", "sha256", "path", "format", "width", "height",
  "size", "caption"?, ...}``; ``Audio`` -> ``"audio-file"``, ``Video`` -> ``"video-file"``,
  ``Html`` -> ``"html-file"``, ``Object3D`` -> ``"object3D-file"``, ``Molecule`` ->
  ``"molecule-file"``, each with ``sha256``, ``path``, ``format``, ``size``
- gallery    -> ``{"_type": "images/separated" (images) or "media/separated" (others),
  "count": n, "items": [ref, ...]}``
- ``Plotly`` (or a plotly figure logged as is) -> ``"plotly-file"`` (the figure's JSON)
- a matplotlib figure (or ``plt`` itself) -> an ``Image`` of it (PNG)
- ``CustomChart`` (``nbtrack.plot.*``) -> ``"custom-chart"`` with its table and figure
- ``Table``, ``Histogram`` -> data references that keep no files

(one dict, so every media value in a row is a dict with a ``"_type"`` key). The bytes to
write into the blob store come from ``media_blobs`` as (sha256, bytes), deduplicated.
"""

from __future__ import annotations

from typing import Any

from nbtrack.media import convert
from nbtrack.media.audio import Audio
from nbtrack.media.chart import CustomChart
from nbtrack.media.data import Histogram, Table
from nbtrack.media.filemedia import MediaFile
from nbtrack.media.html import Html
from nbtrack.media.image import Image
from nbtrack.media.object3d import Molecule, Object3D
from nbtrack.media.plotly_figure import Plotly, is_plotly_figure
from nbtrack.media.table_sets import JoinedTable, PartitionedTable
from nbtrack.media.thumbs import thumbnail
from nbtrack.media.video import Video

__all__ = ["GALLERY_TYPE", "Audio", "CustomChart", "Histogram", "Html", "Image", "JoinedTable", "MediaFile",
           "Molecule", "Object3D", "PartitionedTable", "Plotly", "Table", "Video", "as_media", "is_media",
           "media_blobs", "media_path", "media_ref", "thumbnail"]

_DATA_TYPES = (Table, Histogram, CustomChart)
_FILE_TYPES = (Image, MediaFile)

GALLERY_TYPE = "images/separated"
MEDIA_GALLERY_TYPE = "media/separated"


def _is_gallery(value: Any) -> bool:
    return (
        isinstance(value, (list, tuple))
        and len(value) > 0
        and isinstance(value[0], _FILE_TYPES)
        and all(type(v) is type(value[0]) for v in value)
    )


def as_media(value: Any) -> Any:
    """A matplotlib figure (or pyplot) as an ``Image``, a plotly figure as ``Plotly``;
    anything else as it is (lists item by item). Call once per logged value: it renders
    the figure."""
    if isinstance(value, (list, tuple)) and value and any(convert.is_matplotlib(v) or is_plotly_figure(v) for v in value):
        return [as_media(v) for v in value]
    if convert.is_matplotlib(value):
        return Image(value)
    if is_plotly_figure(value):
        return Plotly(value)
    return value


def is_media(value: Any) -> bool:
    """True for a media value (``Image``, ``Audio``, ``Video``, ``Html``, ``Object3D``,
    ``Molecule``, ``Table``, ``Histogram``) or a non-empty list/tuple of one file media class."""
    return isinstance(value, (*_FILE_TYPES, *_DATA_TYPES)) or _is_gallery(value)


def media_ref(value: Any) -> dict[str, Any] | None:
    """The stored reference for a media value (see module doc); None if not media."""
    if isinstance(value, (*_FILE_TYPES, *_DATA_TYPES)):
        return value.to_ref()
    if _is_gallery(value):
        items = [v.to_ref() for v in value]
        kind = GALLERY_TYPE if isinstance(value[0], Image) else MEDIA_GALLERY_TYPE
        return {"_type": kind, "count": len(items), "items": items}
    return None


def media_blobs(value: Any) -> list[tuple[str, bytes]]:
    """(sha256, encoded bytes) for every file a media value needs stored, no duplicates."""
    if isinstance(value, (*_FILE_TYPES, CustomChart)):
        files = [value]
    elif _is_gallery(value):
        files = list(value)
    elif isinstance(value, Table):
        files = value.media()
    else:
        return []
    seen: set[str] = set()
    out: list[tuple[str, bytes]] = []
    for item in files:
        for sha, data in item.blobs():
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
