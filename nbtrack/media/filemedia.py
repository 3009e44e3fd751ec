"""The common shape of logged media that are files (audio, video, HTML, 3D, molecules).

Like ``Image``, each is encoded once when it is made, content-addressed by the sha256
of its bytes, and logged as a small reference dict (``{"_type": "audio-file", "sha256",
"path", "format", "size", ...}``) while the bytes go to the store's blobs under ``path``.
"""

from __future__ import annotations

import hashlib
import io
import os
from typing import Any


class MediaFile:
    """Base of the file-backed media values; subclasses set ``TYPE`` and ``MEDIA_DIR``."""

    TYPE = "file"
    MEDIA_DIR = "media/files"

    def __init__(self, data: bytes, format: str, caption: str | None = None) -> None:
        self.data: bytes = bytes(data)
        self.format: str = format.lower().lstrip(".")
        self.caption: str | None = None if caption is None else str(caption)
        self.sha256: str = hashlib.sha256(self.data).hexdigest()

    @property
    def path(self) -> str:
        """Where the file lives inside the run: <MEDIA_DIR>/<sha[:20]>.<format>."""
        return f"{self.MEDIA_DIR}/{self.sha256[:20]}.{self.format}"

    def extra_ref(self) -> dict[str, Any]:
        """Type-specific fields of the reference (sample rate, frames, ...)."""
        return {}

    def to_ref(self) -> dict[str, Any]:
        """The JSON reference stored in a history row or the summary."""
        ref: dict[str, Any] = {"_type": self.TYPE, "sha256": self.sha256, "path": self.path,
                               "format": self.format, "size": len(self.data)}
        ref.update(self.extra_ref())
        if self.caption is not None:
            ref["caption"] = self.caption
        return ref

    def blobs(self) -> list[tuple[str, bytes]]:
        """(sha256, bytes) of the file to store."""
        return [(self.sha256, self.data)]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MediaFile):
            return NotImplemented
        return type(self) is type(other) and self.to_ref() == other.to_ref()

    def __hash__(self) -> int:
        return hash((self.TYPE, self.sha256, self.caption))

    def __repr__(self) -> str:
        cap = f", caption={self.caption!r}" if self.caption is not None else ""
        return f"<nbtrack.{type(self).__name__} {self.format} {len(self.data)} bytes {self.sha256[:8]}{cap}>"


def read_source(source: Any, what: str) -> tuple[bytes, str]:
    """Bytes and extension from a path or an open binary/text file ("" if unknown)."""
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        if not os.path.isfile(path):
            raise FileNotFoundError(f"{what}: no such file: {path!r}")
        with open(path, "rb") as fh:
            data = fh.read()
        name = os.path.basename(path).lower()
        ext = "pts.json" if name.endswith(".pts.json") else os.path.splitext(name)[1].lstrip(".")
        return data, ext
    if isinstance(source, (io.IOBase,)) or hasattr(source, "read"):
        raw = source.read()
        data = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
        name = str(getattr(source, "name", "") or "").lower()
        return data, os.path.splitext(name)[1].lstrip(".")
    raise TypeError(f"{what}: expected a file path or an open file, got {type(source).__name__}")
