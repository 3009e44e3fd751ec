"""An artifact's manifest: one entry per file (path inside the artifact, sha256, size).

The digest of a version is the sha256 of the manifest sorted by path, one line per file
(``path\\tsha256\\tsize\\n``): two versions with the same files at the same paths have
the same digest, whatever their metadata, so logging unchanged content makes no new
version.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .download import materialise


@dataclass
class ArtifactEntry:
    """One file of an artifact. ``digest`` is its sha256 hex (wandb calls it digest too)."""

    path: str
    digest: str
    size: int
    #: where the content can be read now (a stored blob or a staged copy); not part of identity
    local_path: str | None = field(default=None, repr=False, compare=False)
    _artifact: Any = field(default=None, repr=False, compare=False)

    @property
    def sha256(self) -> str:
        return self.digest

    @property
    def name(self) -> str:
        """The file's path inside the artifact (wandb's File.name)."""
        return self.path

    def download(self, root: str | os.PathLike[str] | None = None) -> str:
        """Write this file under ``root`` (default: the artifact's download dir); its path."""
        if self._artifact is None:
            raise ValueError("this entry does not belong to an artifact")
        return materialise(self._artifact, [self], root)[0]


class Manifest:
    """The entries of an artifact by path (``manifest.entries["a/b.txt"].digest``)."""

    def __init__(self, entries: dict[str, ArtifactEntry] | None = None) -> None:
        self.entries: dict[str, ArtifactEntry] = dict(entries or {})

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[ArtifactEntry]:
        return iter(self.entries[p] for p in sorted(self.entries))

    def __repr__(self) -> str:
        return f"<Manifest {len(self.entries)} file(s)>"

    @property
    def size(self) -> int:
        return sum(e.size for e in self.entries.values())

    def digest(self) -> str:
        """sha256 over the sorted manifest."""
        h = hashlib.sha256()
        for path in sorted(self.entries):
            e = self.entries[path]
            h.update(f"{path}\t{e.digest}\t{e.size}\n".encode())
        return h.hexdigest()

    def to_dict(self) -> dict[str, dict[str, Any]]:
        return {p: {"digest": e.digest, "size": e.size} for p, e in sorted(self.entries.items())}


def clean_path(name: str | os.PathLike[str]) -> str:
    """A file's path inside an artifact: relative, "/"-separated, without "." or ".."."""
    text = os.fspath(name).replace(os.sep, "/")
    if os.altsep:
        text = text.replace(os.altsep, "/")
    norm = posixpath.normpath(text)
    if not text or norm in (".", "") or norm.startswith("/") or norm == ".." or norm.startswith("../") or (
        len(norm) > 1 and norm[1] == ":"
    ):
        raise ValueError(f"nbtrack.Artifact: invalid file name {os.fspath(name)!r} in the artifact; "
                         "use a relative path such as 'weights/model.pt'.")
    return norm
