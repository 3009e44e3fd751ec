"""Materialising an artifact's files: from staged copies or the store's blobs into a folder."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ..store.store import hash_file

if TYPE_CHECKING:
    from .artifact import Artifact
    from .manifest import ArtifactEntry


def default_root(art: Artifact) -> Path:
    """Where download() puts an artifact without a root: ./artifacts/<name>:v<N>."""
    if art._version is None:
        raise ValueError(f"nbtrack.Artifact.download: artifact {art._base!r} has no version yet; "
                         "log it and call wait() first, or pass root=.")
    sep = "-" if sys.platform == "win32" else ":"
    return Path("artifacts") / f"{art._base}{sep}v{art._version}"


def materialise(art: Artifact, entries: list[ArtifactEntry], root: str | os.PathLike[str] | None) -> list[str]:
    """Write entries under root (skipping files already identical); their paths."""
    target_root = default_root(art) if root is None else Path(root)
    out = []
    for e in entries:
        target = target_root / e.path
        if not (target.is_file() and target.stat().st_size == e.size and hash_file(target)[0] == e.digest):
            source = source_of(art, e)
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.{os.getpid()}.nbtrack-tmp")
            try:
                shutil.copyfile(source, tmp)
                os.replace(tmp, target)
            finally:
                if tmp.exists():
                    tmp.unlink()
        out.append(str(target))
    return out


def source_of(art: Artifact, e: ArtifactEntry) -> str:
    """A readable copy of an entry's content (its staged copy or a stored blob)."""
    candidates = [e.local_path] if e.local_path else []
    if art._store_root is not None:
        from ..store.paths import blob_path

        candidates.append(str(blob_path(art._store_root, e.digest)))
    for c in candidates:
        if c and os.path.isfile(c):
            return c
    raise FileNotFoundError(f"nbtrack: the content of {e.path!r} (sha256 {e.digest[:12]}) is missing from "
                            f"{art._store_root}; the store's blobs may have been deleted.")
