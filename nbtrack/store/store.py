"""A store directory: locked DuckDB connections and content-addressed blobs.

nbtrack never keeps the database open: ``write()`` takes the exclusive lock, opens,
yields, closes and unlocks; ``read()`` does the same with a shared lock and a read-only
connection. Blobs live beside the database as ``blobs/<sha[:2]>/<sha>``.
"""

from __future__ import annotations

import hashlib
import os
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING

from . import paths, untrusted
from .errors import NbtrackStorageWarning
from .lock import file_lock
from .schema import SCHEMA_VERSION, check_version, ensure_schema

if TYPE_CHECKING:
    import duckdb

_CHUNK = 1 << 20


def connect(database: str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection that never prints its progress bar into the user's output."""
    import duckdb

    con = duckdb.connect(database, read_only=read_only)
    try:
        con.execute("SET enable_progress_bar = false")
    except BaseException:
        con.close()
        raise
    return con


@contextmanager
def empty_store() -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory connection with the current schema and no runs: what a read of a store
    that has nothing yet sees."""
    con = connect(":memory:")
    try:
        ensure_schema(con)
        yield con
    finally:
        con.close()


class Store:
    """One store directory (see :func:`nbtrack.store.paths.resolve_store_dir`)."""

    def __init__(self, dir: str | os.PathLike[str] | None = None) -> None:
        self.root: Path = paths.resolve_store_dir(dir)
        self.db_path: Path = paths.db_path(self.root)
        self.lock_path: Path = paths.lock_path(self.root)
        self.blobs_dir: Path = self.root / paths.BLOBS_DIR

    def __repr__(self) -> str:
        return f"Store({str(self.root)!r})"

    # -- connections -------------------------------------------------------------------
    @contextmanager
    def write(self, timeout: float | None = 10.0) -> Iterator[duckdb.DuckDBPyConnection]:
        """Exclusive lock + read-write connection with the schema ensured.

        Raises :class:`~nbtrack.store.errors.LockTimeout` if the lock is not acquired
        in ``timeout`` s, ``StoreVersionError`` for a store from a newer nbtrack, and
        ``OSError``/``duckdb.Error`` for disk trouble. Closes and unlocks on exit.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        with file_lock(self.lock_path, shared=False, timeout=timeout):
            con = connect(str(self.db_path))
            try:
                ensure_schema(con)
                yield con
            finally:
                con.close()

    @contextmanager
    def read(self, timeout: float | None = 10.0) -> Iterator[duckdb.DuckDBPyConnection]:
        """Shared lock + read-only connection; copy out what you need, then leave.

        If the database file does not exist yet, yields an in-memory database with the
        schema, so a new store simply has no runs. An older schema is migrated first
        (briefly taking the write lock); a store that cannot be written (read-only) is
        read with the schema it has, with one warning.
        """
        con: duckdb.DuckDBPyConnection | None
        if not self.db_path.exists():
            with empty_store() as con:
                yield con
            return
        for attempt in range(2):
            with file_lock(self.lock_path, shared=True, timeout=timeout):
                con = connect(str(self.db_path), read_only=True)
                try:
                    # a long read (a report's downsampling) must not print DuckDB's
                    # progress bar (a widget in a notebook, a bar on a CLI's stdout)
                    con.execute("SET enable_progress_bar = false")
                    if check_version(con) < SCHEMA_VERSION and attempt == 0:
                        con.close()
                        con = None
                    else:
                        yield con
                        return
                finally:
                    if con is not None:
                        con.close()
            try:
                with self.write(timeout=timeout):  # migrate, then read again
                    pass
            except (OSError, duckdb_error()) as exc:
                _warn_once(f"nbtrack: could not bring the store {self.root} to the current schema "
                           f"({type(exc).__name__}: {exc}); reading it as it is (newer tables such as "
                           "artifacts may be missing).")

    # -- blobs -------------------------------------------------------------------------
    def blob_path(self, sha: str) -> Path:
        """Where the blob with this sha256 hex digest lives (it may not exist)."""
        return paths.blob_path(self.root, sha)

    def has_blob(self, sha: str) -> bool:
        """True if the blob is stored."""
        return self.blob_path(sha).exists()

    def read_blob(self, sha: str, entry: str = "") -> bytes:
        """Content of a stored blob (``FileNotFoundError`` if absent).

        The digest, the blob's place (no link out of ``blobs/``) and its content are
        checked (:class:`~nbtrack.store.errors.UnsafeStoreEntry` naming ``entry``).
        """
        data = untrusted.blob_file(self.blobs_dir, sha, entry).read_bytes()
        return untrusted.check_content(data, sha, entry)

    def put_blob(self, data: bytes, sha: str | None = None) -> str:
        """Store bytes content-addressed; return the sha256 hex. Skips existing blobs.

        Written to a temporary file and renamed, so a blob is whole or absent.
        """
        sha = sha or hashlib.sha256(data).hexdigest()
        target = self.blob_path(sha)
        if target.exists():
            return sha
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{sha}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            with open(tmp, "wb") as fh:
                fh.write(data)
            os.replace(tmp, target)
        finally:
            if tmp.exists():
                tmp.unlink()
        return sha

    def put_blob_file(self, path: str | os.PathLike[str]) -> tuple[str, int]:
        """Copy a file into the blobs, hashing while streaming; return (sha256, size)."""
        with open(path, "rb") as src:
            return self.put_blob_stream(src)

    def put_blob_stream(self, src: IO[bytes]) -> tuple[str, int]:
        """Like :meth:`put_blob_file` for an open binary stream."""
        self.blobs_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.blobs_dir / f".in.{os.getpid()}.{threading.get_ident()}.tmp"
        h = hashlib.sha256()
        size = 0
        try:
            with open(tmp, "wb") as out:
                while True:
                    chunk = src.read(_CHUNK)
                    if not chunk:
                        break
                    h.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
            sha = h.hexdigest()
            target = self.blob_path(sha)
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(tmp, target)
            return sha, size
        finally:
            if tmp.exists():
                tmp.unlink()


def duckdb_error() -> type[Exception]:
    """duckdb's base error class (duckdb is imported on first use, off the init() path)."""
    import duckdb

    return duckdb.Error


_warned: set[str] = set()


def _warn_once(message: str) -> None:
    if message not in _warned:
        _warned.add(message)
        warnings.warn(message, NbtrackStorageWarning, stacklevel=4)


def hash_file(path: str | os.PathLike[str]) -> tuple[str, int]:
    """Streamed sha256 hex digest and size of a file."""
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


__all__ = ["Store", "connect", "empty_store", "hash_file", "store_at"]


_stores: dict[str, Store] = {}
_stores_lock = threading.Lock()


def store_at(store_dir: str | os.PathLike[str] | None = None) -> Store:
    """The process's one ``Store`` for a store directory (``None``: ``NBTRACK_DIR``, else
    ``./nbtrack``), keyed by its resolved path: the writer, readers, editor and artifacts of
    one store share it, whichever spelling of the path they were given."""
    root = paths.resolve_store_dir(store_dir)
    key = os.path.realpath(root)
    with _stores_lock:
        store = _stores.get(key)
        if store is None:
            store = _stores[key] = Store(root)
        return store
