"""The team's blobs: content-addressed files in a directory every machine can reach.

``<dir>/<sha[:2]>/<sha>``, as in a local store. The directory is named by
``NBTRACK_TEAM_BLOBS`` (or ``init(team_blobs=...)``); the first client that names it
records it in the database's ``nbtrack_meta`` (``blob_dir``), so later clients find it
there. The ``blobs`` table lists what was copied: only missing blobs are copied.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

from .. import untrusted

ENV_TEAM_BLOBS = "NBTRACK_TEAM_BLOBS"


class SharedBlobs:
    """A shared blob directory."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(os.path.abspath(os.path.expanduser(os.fspath(root))))
        #: the directory, as recorded in the database for other clients
        self.location = str(self.root)

    def path(self, sha: str) -> Path:
        """Where the blob with this sha256 lives (it may not exist)."""
        return self.root / sha[:2] / sha

    def has(self, sha: str) -> bool:
        """True if the blob is in the directory."""
        return self.path(sha).exists()

    def missing(self, shas: set[str]) -> set[str]:
        """The digests of ``shas`` not in the directory."""
        return {s for s in shas if not self.has(s)}

    def local_path(self, sha: str, entry: str = "") -> Path:
        """The blob's file in the directory, its digest and place checked (``FileNotFoundError``
        if absent; the content is checked by whoever copies it)."""
        return untrusted.blob_file(self.root, sha, entry)

    def read(self, sha: str, entry: str = "") -> bytes:
        """A blob's bytes (``FileNotFoundError`` if absent). The shared directory is written
        by many people: the digest, the blob's place and its content are checked
        (``UnsafeStoreEntry`` naming ``entry``), as for a local store."""
        data = untrusted.blob_file(self.root, sha, entry).read_bytes()
        return untrusted.check_content(data, sha, entry)

    def upload(self, source: Path, sha: str) -> None:
        """Copy a local file here as the blob ``sha`` (whole or not at all)."""
        target = self.path(sha)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{sha}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            shutil.copyfile(source, tmp)
            os.replace(tmp, target)
        finally:
            if tmp.exists():
                tmp.unlink()
