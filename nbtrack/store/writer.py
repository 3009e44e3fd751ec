"""Background writer: one daemon thread per run batches history into the store.

The run appends committed rows to ``writer.rows`` (no lock; the thread drains with
``n = len(rows); batch = rows[:n]; del rows[:n]``). Every ``flush_interval`` (sooner
when the buffer is big) the thread converts the batch to Arrow and, inside one
``store.write()`` transaction, inserts it, applies the pending run update (last_step,
summary, heartbeat), adds file records and applies pending operations (functions of
the connection queued with ``add_operation``, e.g. an artifact version numbered under
the exclusive lock). Storage trouble never reaches the caller: it warns (rate limited),
keeps everything in memory and retries with backoff.
"""

from __future__ import annotations

import concurrent.futures.thread  # noqa: F401 - pyarrow imports it lazily; at exit that import would fail
import hashlib
import os
import threading
import time
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable


from .errors import NbtrackStorageWarning
from .records import STEP_KEY, FileRecord, HistoryRow, RunRecord
from . import live_writers
from .store import Store, hash_file

if TYPE_CHECKING:
    from .commit import OperationError

# duckdb, pyarrow and numpy load on the writer thread (init must not wait ~200 ms for them)

SMALL_FILE = 64 * 1024 * 1024
MAX_BACKOFF = 5.0
#: an operation that raises (other than storage trouble) this many times in a row is dropped
MAX_OP_FAILURES = 3


@dataclass
class PendingOperation:
    """A function applied to the connection inside the transaction of a writer batch."""

    apply: Callable[[Any], Any]
    on_commit: Callable[[Any], None] | None = None
    on_error: Callable[[BaseException], None] | None = None
    failures: int = 0


def _storage_trouble(exc: BaseException) -> bool:
    import duckdb

    return isinstance(exc, (OSError, duckdb.IOException))


class StoreWriter:
    """Writes one run's history, run updates, blobs and files from a daemon thread."""

    def __init__(
        self,
        store: Store,
        run: RunRecord,
        flush_interval: float = 1.0,
        heartbeat_interval: float = 10.0,
        lock_timeout: float = 10.0,
        max_buffer_values: int = 200_000,
        max_pending_values: int = 2_000_000,
    ) -> None:
        self.store = store
        self.run_id: str = run["id"]
        self.flush_interval = flush_interval
        self.heartbeat_interval = heartbeat_interval
        self.lock_timeout = lock_timeout
        self.max_buffer_values = max_buffer_values  # Python rows converted to Arrow past this
        self.max_pending_values = max_pending_values  # converted rows committed early past this
        #: committed rows appended by the run (hot path of log(), no lock)
        self.rows: list[HistoryRow] = []
        #: storage warnings emitted so far (also sent through ``warnings.warn``)
        self.warnings: list[str] = []
        self._mu = threading.Lock()  # guards the pending run update, blobs and files
        self._run_update: dict[str, Any] = dict(run)
        self._blobs: dict[str, bytes | str] = {}  # sha -> bytes, or source path (large)
        self._files: list[FileRecord] = []
        self._ops: list[PendingOperation] = []
        self._tables: list[Any] = []  # pyarrow tables  # converted rows not yet committed
        self._max_step: int | None = None
        self._cond = threading.Condition()
        self._requested = 0  # flush tickets handed out
        self._done = 0  # highest ticket whose data is committed
        self._wake = threading.Event()
        self._closing = False
        self._failing: set[str] = set()
        self._warned: set[str] = set()
        self._retry_at = 0.0
        self._backoff = 0.25
        self._last_try = 0.0
        self._last_ok = 0.0
        #: set once the thread has loaded duckdb/pyarrow (see ``wait_ready``)
        self.ready = threading.Event()
        self._thread = threading.Thread(
            target=self._loop, name=f"nbtrack-writer-{self.run_id}", daemon=True
        )

    # -- caller side ---------------------------------------------------------------------
    def start(self) -> "StoreWriter":
        """Start the thread; the run record is written right away in the background."""
        if self._thread.ident is None:
            live_writers.add(self)
            self._thread.start()
        return self

    def update_run(self, fields: RunRecord) -> None:
        """Merge a partial run update (latest wins per key); written with the next batch."""
        with self._mu:
            self._run_update.update(fields)

    def add_blob(self, data: bytes) -> str:
        """Queue bytes as a content-addressed blob; return its sha256 hex now."""
        sha = hashlib.sha256(data).hexdigest()
        with self._mu:
            self._blobs[sha] = bytes(data)
        return sha

    def add_file(
        self, path: str, kind: str, data: bytes | None = None, source_path: str | None = None
    ) -> FileRecord:
        """Record a file of the run (content from ``data`` or ``source_path`` as it is now).

        Hashes now, copies into the blobs in the thread. Files under 64 MB are read
        into memory at call time; larger ones are hashed now and streamed by the thread.
        """
        if data is None:
            if source_path is None:
                raise ValueError("add_file needs data or source_path")
            if os.path.getsize(source_path) < SMALL_FILE:
                with open(source_path, "rb") as fh:
                    data = fh.read()
        if data is not None:
            sha, size, content = hashlib.sha256(data).hexdigest(), len(data), bytes(data)
        else:
            sha, size = hash_file(source_path)  # type: ignore[arg-type]
            content = os.path.abspath(source_path)  # type: ignore[type-var]
        rec: FileRecord = {"run_id": self.run_id, "path": path, "sha256": sha,
                           "size": size, "kind": kind, "created_at": time.time()}  # type: ignore[typeddict-item]
        with self._mu:
            self._blobs[sha] = content
            self._files.append(rec)
        return rec

    def add_blob_file(self, path: str, sha: str) -> None:
        """Queue a file (that will not change, e.g. a staged copy) as the blob ``sha``."""
        with self._mu:
            self._blobs[sha] = os.path.abspath(path)

    def add_operation(
        self, apply: Callable[[Any], Any], on_commit: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Apply ``apply(con)`` inside the transaction of the next batch, after its rows,
        run update and files (so under the exclusive store lock, atomically with them).

        Retried with the batch while storage fails. ``on_commit(result)`` runs on the
        writer thread once the batch is committed. An operation that itself raises
        something other than storage trouble ``MAX_OP_FAILURES`` times in a row is
        dropped with a warning and ``on_error(exc)`` is called. Callbacks must not raise.
        """
        with self._mu:
            self._ops.append(PendingOperation(apply, on_commit, on_error))

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until everything queued before this call is committed; True on success."""
        if not self._thread.is_alive():
            if self._thread.ident is None:
                self.start()
            else:
                return not self._has_pending()
        with self._cond:
            self._requested += 1
            ticket = self._requested
        self._wake.set()
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while self._done < ticket:
                if not self._thread.is_alive():
                    return False
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._cond.wait(0.1 if remaining is None else min(remaining, 0.1))
        return True

    def close(self, wait: bool = False, timeout: float | None = None) -> bool:
        """Final flush; return at once unless ``wait`` (the atexit hook drains later)."""
        self._closing = True
        self.start()
        self._wake.set()
        if wait:
            self._thread.join(timeout)
            return not self._thread.is_alive()
        return True

    @property
    def failing(self) -> bool:
        """True while the last write attempt failed (data buffered in memory)."""
        return bool(self._failing)

    # -- thread side ---------------------------------------------------------------------
    def _has_pending(self) -> bool:
        return bool(self.rows or self._tables or self._files or self._blobs or self._ops)

    def _buffer_big(self) -> bool:
        rows = self.rows
        try:
            return len(rows) * max(1, len(rows[0]) - 2) >= self.max_buffer_values  # values, _step, _timestamp
        except IndexError:
            return False

    def _pending_big(self) -> bool:
        return sum(t.num_rows for t in self._tables) >= self.max_pending_values

    def _due(self, now: float) -> bool:
        if now < self._retry_at:
            return False
        if self._closing or self._requested > self._done or self._last_try == 0.0:
            return True
        if now - self._last_try >= self.flush_interval and self._has_pending():
            return True
        return now - self._last_ok >= self.heartbeat_interval or self._pending_big()

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Block until the thread has loaded its libraries.

        They load on the thread so that init() returns at once; but a training loop that
        never releases the GIL would starve an import on another thread (each of its many
        file look-ups hands the GIL back and waits a switch interval to get it again), so
        the run waits here once, at its first committed step, giving the import the CPU.
        """
        self.ready.wait(timeout)

    def _loop(self) -> None:
        try:
            _load_libraries()
            self.ready.set()
            while True:
                try:
                    if self._tick():
                        return
                except Exception as exc:  # noqa: BLE001 - a bug here must not end the writer
                    self._warn("internal", f"nbtrack: the writer of run {self.run_id} hit an error "
                               f"({type(exc).__name__}: {exc}); it keeps the data and goes on.")
                    self._wake.wait(1.0)
        finally:
            live_writers.discard(self)
            self.ready.set()
            with self._cond:
                self._cond.notify_all()

    def _tick(self) -> bool:
        """Wait until a write is due, write; True once closed with nothing left."""
        while not self._due(time.monotonic()):
            if self._buffer_big():
                # Convert early (Arrow holds a batch in about a third of the memory of the
                # Python rows) but commit on schedule: each commit costs a file open/close.
                self._drain()
            self._wake.wait(0.05)
            self._wake.clear()
        with self._cond:
            ticket = self._requested
        if self._write_once():
            with self._cond:
                self._done = max(self._done, ticket)
                self._cond.notify_all()
            return self._closing and not self._has_pending()
        return False

    def _drain(self) -> None:
        from .convert import rows_to_arrow

        rows = self.rows
        n = len(rows)
        if not n:
            return
        batch = rows[:n]
        try:
            table = rows_to_arrow(batch)
        except Exception as exc:  # noqa: BLE001 - a bad value must not block the run
            good = []
            for r in batch:
                try:
                    rows_to_arrow([r])
                    good.append(r)
                except Exception:  # noqa: BLE001
                    pass
            self._warn("convert", f"nbtrack: dropped {n - len(good)} history row(s) of run "
                       f"{self.run_id} that could not be stored ({exc}).")
            batch = good
            table = rows_to_arrow(batch)
        del rows[:n]
        if batch:
            top = max(r[STEP_KEY] for r in batch)
            self._max_step = top if self._max_step is None else max(self._max_step, top)
            self._tables.append(table)

    def _write_once(self) -> bool:
        from .commit import OperationError, commit_batch

        self._last_try = time.monotonic()
        with self._mu:
            update, self._run_update = self._run_update, {}
            blobs, self._blobs = self._blobs, {}
            files, self._files = self._files, []
            ops, self._ops = self._ops, []
        try:
            self._drain()
            for sha, content in blobs.items():
                if self.store.has_blob(sha):
                    continue
                if isinstance(content, bytes):
                    self.store.put_blob(content, sha)
                else:
                    real, size = self.store.put_blob_file(content)
                    for f in files:  # the file changed since add_file: keep what we copied
                        if f["sha256"] == sha:
                            f["sha256"], f["size"] = real, size
            update["heartbeat_at"] = time.time()
            if self._max_step is not None:
                update["last_step"] = self._max_step
            results = commit_batch(self.store, self.run_id, self._tables, update, files,
                                   timeout=self.lock_timeout, operations=[op.apply for op in ops])
        except Exception as exc:  # noqa: BLE001 - storage trouble never reaches the run
            if isinstance(exc, OperationError) and not _storage_trouble(exc.cause):
                ops = self._drop_broken(ops, exc)
            with self._mu:  # put everything back; newer updates win
                update.pop("heartbeat_at", None)
                update.update(self._run_update)
                self._run_update = update
                blobs.update(self._blobs)
                self._blobs = blobs
                self._files = files + self._files
                self._ops = ops + self._ops
            self._on_error(exc)
            return False
        self._tables = []
        for op, result in zip(ops, results):
            op.failures = 0
            if op.on_commit is not None:
                try:
                    op.on_commit(result)
                except Exception:  # noqa: BLE001 - a callback must not stop the writer
                    pass
        self._last_ok = time.monotonic()
        if self._failing:
            self._failing.clear()
            self._warn("recovered", f"nbtrack: storage for run {self.run_id} recovered; "
                       "all buffered data is written.", always=True)
        self._backoff = 0.25
        self._retry_at = 0.0
        return True

    def _drop_broken(self, ops: list[PendingOperation], exc: OperationError) -> list[PendingOperation]:
        op = ops[exc.index]
        op.failures += 1
        if op.failures < MAX_OP_FAILURES:
            return ops
        self._warn("operation", f"nbtrack: dropped a pending operation of run {self.run_id} that "
                   f"failed {op.failures} times ({exc}).", always=True)
        if op.on_error is not None:
            try:
                op.on_error(exc.cause)
            except Exception:  # noqa: BLE001
                pass
        return ops[: exc.index] + ops[exc.index + 1:]

    def _on_error(self, exc: Exception) -> None:
        kind = type(exc).__name__
        self._failing.add(kind)
        self._warn(kind, f"nbtrack: could not write run {self.run_id} to {self.store.root} "
                   f"({kind}: {exc}); data is kept in memory and retried.")
        self._retry_at = time.monotonic() + self._backoff
        self._backoff = min(self._backoff * 2, MAX_BACKOFF)

    def _warn(self, kind: str, msg: str, always: bool = False) -> None:
        if kind in self._warned and not always:
            return
        self._warned.add(kind)
        self.warnings.append(msg)
        warnings.warn(msg, NbtrackStorageWarning, stacklevel=2)


def _load_libraries() -> None:
    """Import what converting and committing need (about 0.2-0.4 s on a cold process)."""
    from . import commit, convert  # noqa: F401 - numpy, pyarrow
    import duckdb  # noqa: F401
    import pandas  # noqa: F401 - duckdb imports it at the first scan of an Arrow table
