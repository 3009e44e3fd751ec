"""Where a store lives on disk and the names of its files."""

from __future__ import annotations

import os
from pathlib import Path

from .untrusted import check_digest

DB_NAME = "runs.duckdb"
LOCK_NAME = "nbtrack.lock"
BLOBS_DIR = "blobs"
ENV_DIR = "NBTRACK_DIR"
DEFAULT_DIR = "nbtrack"


def resolve_store_dir(dir: str | os.PathLike[str] | None = None) -> Path:
    """Return the store directory: explicit ``dir`` > env ``NBTRACK_DIR`` > ``./nbtrack``.

    The result is absolute (relative paths resolve against the current directory now,
    so a later ``os.chdir`` does not move the store). Nothing is created.
    """
    if dir is None or str(dir) == "":
        dir = os.environ.get(ENV_DIR) or DEFAULT_DIR
    return Path(os.path.abspath(os.path.expanduser(os.fspath(dir))))


def db_path(root: Path) -> Path:
    """Path of the DuckDB file inside a store directory."""
    return root / DB_NAME


def lock_path(root: Path) -> Path:
    """Path of the lock file inside a store directory."""
    return root / LOCK_NAME


def blob_path(root: Path, sha: str) -> Path:
    """Path of a content-addressed blob: ``blobs/<sha[:2]>/<sha>``.

    ``sha`` must be a sha256 hex digest (UnsafeStoreEntry otherwise): a digest read from
    a shared store such as ``../secret`` must not name a file outside ``blobs/``.
    """
    return root / BLOBS_DIR / sha[:2] / check_digest(sha)
