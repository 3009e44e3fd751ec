"""Materialising an artifact's files: from staged copies or the store's blobs into a folder.

Entries read from a store are untrusted (a shared store is written by many people):
every file is confined under the download root after resolving it, digests must be
sha256 hex, blobs must lie inside the store, and the copied content must match its
digest. A bad entry raises UnsafeStoreEntry naming it; nothing is skipped silently.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ..store.errors import UnsafeStoreEntry
from ..store.store import hash_file
from ..store.untrusted import blob_file, check_digest, confined

if TYPE_CHECKING:
    from .artifact import Artifact
    from .manifest import ArtifactEntry

_CHUNK = 1 << 20


def default_root(art: Artifact) -> Path:
    """Where download() puts an artifact without a root: ./artifacts/<name>:v<N>."""
    if art.version_index is None:
        raise ValueError(f"nbtrack.Artifact.download: artifact {art.collection_name!r} has no version yet; "
                         "log it and call wait() first, or pass root=.")
    sep = "-" if sys.platform == "win32" else ":"
    return Path("artifacts") / f"{art.collection_name}{sep}v{art.version_index}"


def target_of(root: str | os.PathLike[str], e: ArtifactEntry) -> Path:
    """Where an entry goes under ``root`` (UnsafeStoreEntry if it would leave it)."""
    return confined(root, e.path, "artifact file")


def materialise(art: Artifact, entries: list[ArtifactEntry], root: str | os.PathLike[str] | None) -> list[str]:
    """Write entries under root (skipping files already identical); their paths.

    Every entry is checked before anything is written, so a hostile entry leaves the
    root untouched.
    """
    target_root = default_root(art) if root is None else Path(root)
    plan = [(e, target_of(target_root, e), check_digest(e.digest, e.path)) for e in entries]
    out = []
    for e, target, digest in plan:
        if not (target.is_file() and target.stat().st_size == e.size and hash_file(target)[0] == digest):
            source = source_of(art, e)
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.{os.getpid()}.nbtrack-tmp")
            try:
                _copy_checked(source, tmp, digest, e.path)
                os.replace(tmp, target)
            finally:
                if tmp.exists():
                    tmp.unlink()
        out.append(str(target))
    return out


def _copy_checked(source: str, dest: Path, digest: str, name: str) -> None:
    """Copy ``source`` to ``dest``, refusing content whose sha256 is not ``digest``."""
    h = hashlib.sha256()
    with open(source, "rb") as src, open(dest, "wb") as out:
        for chunk in iter(lambda: src.read(_CHUNK), b""):
            h.update(chunk)
            out.write(chunk)
    if h.hexdigest() != digest:
        raise UnsafeStoreEntry(f"nbtrack: the stored content of artifact file {name!r} does not match its "
                               f"sha256 {digest[:12]}...; the blob was changed or is corrupt.")


def source_of(art: Artifact, e: ArtifactEntry) -> str:
    """A readable copy of an entry's content (its staged copy or a stored blob)."""
    if e.local_path and os.path.isfile(e.local_path):
        return e.local_path
    if art._team is not None:  # read from a team store: its blob store (a download for an object store)
        return str(art._team.blob_path(e.digest, e.path))
    if art.store is not None:
        return str(blob_file(art.store.blobs_dir, e.digest, e.path))
    raise FileNotFoundError(f"nbtrack: the content of {e.path!r} (sha256 {str(e.digest)[:12]}) is missing; "
                            "the artifact has no store to read it from.")
