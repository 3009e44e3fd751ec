"""Checks for what is read out of a store: names joined onto folders, digests, blobs.

A store may be shared (a team folder, a mounted dataset) and written by anyone, so a
``files.path`` or ``artifact_files.path`` is a name to confine under the folder it is
written to, a ``sha256`` must be 64 hex characters before it names a blob, and a blob
must be a file inside the store's ``blobs/`` whose content has that digest.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from .errors import UnsafeStoreEntry

_DIGEST = re.compile(r"[0-9a-f]{64}")


def check_digest(sha: object, entry: str = "") -> str:
    """``sha`` if it is a sha256 hex digest (64 lowercase hex characters), else UnsafeStoreEntry."""
    if isinstance(sha, str) and _DIGEST.fullmatch(sha):
        return sha
    where = f" of {entry!r}" if entry else ""
    raise UnsafeStoreEntry(f"nbtrack: the stored digest{where} is {sha!r}, not a sha256 hex digest; "
                           "the store's entry is refused.")


def confined(root: str | os.PathLike[str], name: str, entry: str = "file") -> Path:
    """``root / name``, refused (UnsafeStoreEntry naming it) unless it stays under ``root``.

    Checked after resolving ``..`` and symbolic links, so neither an absolute name, a
    ``../`` climb nor a link planted under ``root`` can lead the write elsewhere.
    """
    text = os.fspath(name) if isinstance(name, (str, os.PathLike)) else None
    if not text or "\x00" in text or os.path.isabs(text) or os.path.splitdrive(text)[0]:
        raise UnsafeStoreEntry(f"nbtrack: refusing the stored {entry} {name!r}: not a relative path "
                               f"under {os.fspath(root)!r}.")
    base = os.path.realpath(root)
    target = os.path.realpath(os.path.join(base, text))
    if target == base or os.path.commonpath([base, target]) != base:
        raise UnsafeStoreEntry(f"nbtrack: refusing the stored {entry} {name!r}: it leads outside "
                               f"{os.fspath(root)!r} (to {target!r}).")
    return Path(root) / text


def blob_file(blobs_dir: str | os.PathLike[str], sha: object, entry: str = "") -> Path:
    """The path of a stored blob, checked: a valid digest, and a file inside ``blobs_dir``.

    FileNotFoundError when it is absent; UnsafeStoreEntry for a bad digest or a blob that
    is a link leading out of ``blobs_dir``.
    """
    digest = check_digest(sha, entry)
    path = Path(blobs_dir) / digest[:2] / digest
    real = os.path.realpath(path)
    base = os.path.realpath(blobs_dir)
    if os.path.commonpath([base, real]) != base:
        raise UnsafeStoreEntry(f"nbtrack: the blob of {entry or digest!r} is a link out of the store "
                               f"({real!r}); refused.")
    if not os.path.isfile(real):
        raise FileNotFoundError(f"nbtrack: the content of {entry or digest!r} (sha256 {digest[:12]}) is missing "
                                f"from {os.fspath(blobs_dir)!r}; the store's blobs may have been deleted.")
    return path


def check_content(data: bytes, sha: str, entry: str = "") -> bytes:
    """``data`` if its sha256 is ``sha``, else UnsafeStoreEntry (a changed or corrupt blob)."""
    if hashlib.sha256(data).hexdigest() != sha:
        raise UnsafeStoreEntry(f"nbtrack: the stored content of {entry or sha!r} does not match its sha256 "
                               f"{sha[:12]}...; the blob was changed or is corrupt.")
    return data
