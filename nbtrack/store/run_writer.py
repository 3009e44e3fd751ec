"""One run's side of the process's store writer: the buffers the run fills.

The run appends committed rows to ``rows`` (no lock: the writer thread drains with
``n = len(rows); batch = rows[:n]; del rows[:n]``, safe under the GIL) and hands run
updates, files, blobs and pending operations to the methods below. Nothing here does
I/O on the caller's thread except reading a small file given to ``add_file`` (its content
at call time is what is kept). The process's :class:`~nbtrack.store.writer.StoreWriter`
takes what is pending as one :class:`~nbtrack.store.sink.RunBatch` per flush.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from .records import STEP_KEY, FileRecord, HistoryRow, RunRecord
from .safe_values import clean_text
from .sink import BatchOutcome, RunBatch, Sink
from .store import Store, hash_file

_log = logging.getLogger(__name__)

#: files under this size are read into memory when given; larger ones are copied later
SMALL_FILE = 64 * 1024 * 1024


@dataclass
class PendingOperation:
    """A function applied to the connection inside the transaction of a writer batch."""

    apply: Callable[[Any], Any]
    on_commit: Callable[[Any], None] | None = None
    on_error: Callable[[BaseException], None] | None = None
    failures: int = 0


@dataclass
class TakenBatch:
    """What the writer took from a run for one commit (put back if the commit fails)."""

    batch: RunBatch
    tables: list[Any]
    update: dict[str, Any]
    blobs: dict[str, bytes | str]
    files: list[FileRecord]
    ops: list[PendingOperation]
    dropped_files: list[str] = field(default_factory=list)


class StoreWriterHandle(Protocol):
    """What a run's buffers need of the process's writer of their store (``StoreWriter``)."""

    store: Store
    sink: Sink
    warnings: list[str]

    @property
    def failing(self) -> bool: ...

    def track(self, run: RunWriter) -> None: ...

    def wake(self) -> None: ...

    def flush(self, timeout: float | None = None) -> bool: ...

    def wait_ready(self, timeout: float = 30.0) -> None: ...

    def pending_summary(self) -> str: ...

    def warn_item(self, run_id: str, kind: str, msg: str) -> None: ...

    def warn_episode(self, kind: str, msg: str) -> None: ...


class RunWriter:
    """The buffers of one run, drained by the process's writer for its store."""

    def __init__(
        self, writer: StoreWriterHandle, record: RunRecord, flush_interval: float = 1.0,
        heartbeat_interval: float = 10.0, resume: bool = False,
        on_new_id: Callable[[str], None] | None = None,
    ) -> None:
        self.writer = writer
        self.run_id: str = record["id"]
        self.flush_interval = flush_interval
        self.heartbeat_interval = heartbeat_interval
        self.resume = resume
        self.on_new_id = on_new_id
        #: committed rows appended by the run (hot path of log(), no lock)
        self.rows: list[HistoryRow] = []
        self._mu = threading.Lock()  # guards the pending update, blobs, files and operations
        self._record: dict[str, Any] = dict(record)  # the whole record, sent again under a new id
        self._update: dict[str, Any] = dict(record)
        self._blobs: dict[str, bytes | str] = {}
        self._files: list[FileRecord] = []
        self._ops: list[PendingOperation] = []
        self._tables: list[Any] = []  # pyarrow tables: converted rows not yet committed
        self._max_step: int | None = None
        #: writer-thread state
        self.first = True  # not stored by this process yet
        self.seq = 0
        self.closed = False
        self.deleted = False
        self.tracked = False  # in the writer's set (guarded by the writer's lock)
        self.last_write = time.monotonic()
        self.next_beat = time.monotonic() + heartbeat_interval

    # -- caller side ---------------------------------------------------------------------
    @property
    def store(self) -> Store:
        """The store this run is written to."""
        return self.writer.store

    @property
    def failing(self) -> bool:
        """True while the store's last write attempt failed (data kept in memory)."""
        return self.writer.failing

    @property
    def warnings(self) -> list[str]:
        """Storage warnings the store's writer emitted in this process."""
        return self.writer.warnings

    def start(self) -> RunWriter:
        """Make sure the writer takes this run's data (it does from creation on)."""
        self.writer.track(self)
        return self

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Block until the writer thread has loaded its libraries (see StoreWriter)."""
        self.writer.wait_ready(timeout)

    def update_run(self, fields: RunRecord) -> None:
        """Merge a partial run update (latest wins per key); written with the next batch.

        Also after the run finished: a summary edited later is stored too.
        """
        with self._mu:
            self._update.update(fields)
            self._record.update(fields)
        if not self.tracked:
            self.writer.track(self)

    def add_blob(self, data: bytes) -> str:
        """Queue bytes as a content-addressed blob; return its sha256 hex now."""
        sha = hashlib.sha256(data).hexdigest()
        with self._mu:
            self._blobs[sha] = bytes(data)
        if not self.tracked:
            self.writer.track(self)
        return sha

    def add_file(
        self, path: str, kind: str, data: bytes | None = None, source_path: str | None = None
    ) -> FileRecord | None:
        """Record a file of the run (content from ``data`` or ``source_path`` as it is now).

        Hashes now, copies into the blobs on the writer thread. Files under 64 MB are read
        into memory at call time; larger ones are hashed now and streamed later. A source
        that cannot be read (removed meanwhile) is skipped with one warning: None.
        """
        try:
            if data is None:
                if source_path is None:
                    raise ValueError("add_file needs data or source_path")
                if os.path.getsize(source_path) < SMALL_FILE:
                    with open(source_path, "rb") as fh:
                        data = fh.read()
            content: bytes | str  # the bytes, or the path to stream them from later
            if data is not None:
                sha, size, content = hashlib.sha256(data).hexdigest(), len(data), bytes(data)
            else:
                assert source_path is not None
                sha, size = hash_file(source_path)
                content = os.path.abspath(source_path)
        except OSError as exc:
            self.writer.warn_item(self.run_id, "file", f"nbtrack: file {path!r} of run {self.run_id} was not "
                                  f"saved: its source could not be read ({exc}).")
            return None
        rec: FileRecord = {"run_id": self.run_id, "path": clean_text(path), "sha256": sha, "size": size,
                           "kind": kind, "created_at": time.time()}  # type: ignore[typeddict-item] # kind is one of FileRecord's kinds (add_file's callers pass them)
        with self._mu:
            self._blobs[sha] = content
            self._files.append(rec)
        if not self.tracked:
            self.writer.track(self)
        return rec

    def add_blob_file(self, path: str, sha: str) -> None:
        """Queue a file (that will not change, e.g. a staged copy) as the blob ``sha``."""
        with self._mu:
            self._blobs[sha] = os.path.abspath(path)
        if not self.tracked:
            self.writer.track(self)

    def add_operation(
        self, apply: Callable[[Any], Any], on_commit: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Apply ``apply(con)`` inside the transaction of the next batch, after its rows,
        run update and files (so under the exclusive store lock, atomically with them).

        Retried with the batch while storage fails. ``on_commit(result)`` runs on the
        writer thread once the batch is committed. An operation that itself raises
        something other than storage trouble a few times in a row is dropped with a
        warning and ``on_error(exc)`` is called. Callbacks must not raise.
        """
        with self._mu:
            self._ops.append(PendingOperation(apply, on_commit, on_error))
        if not self.tracked:
            self.writer.track(self)

    def warn_pending_at_finish(self, name: str) -> None:
        """Say (once per storage trouble episode) that finished runs wait in memory."""
        w = self.writer
        w.warn_episode("finish", f"nbtrack: run {name!r} ({self.run_id}) is finished, but storage at "
                       f"{w.sink.location} is failing: {w.pending_summary()} stay in memory and are retried in "
                       "the background; the process waits for them at exit. Later runs finish the same way "
                       "until it recovers.")

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until everything queued before this call is committed; True on success."""
        if not self.tracked and self.has_pending():
            self.writer.track(self)
        return self.writer.flush(timeout)

    def close(self, wait: bool = False, timeout: float | None = None) -> bool:
        """No more heartbeats: the run ended. Its data is written at once (``wait``: True
        once it is on disk, False if ``timeout`` passed first)."""
        self.closed = True
        self.writer.track(self)
        self.writer.wake()
        if wait:
            return self.writer.flush(timeout)
        return True

    # -- writer side ---------------------------------------------------------------------
    def has_pending(self) -> bool:
        """Anything not yet committed."""
        return bool(self.rows or self._tables or self._update or self._files or self._blobs or self._ops)

    def buffer_big(self, max_values: int) -> bool:
        """More than ``max_values`` values wait as Python rows (convert them early)."""
        rows = self.rows
        try:
            return len(rows) * max(1, len(rows[0]) - 2) >= max_values  # values, then _step, _timestamp
        except IndexError:
            return False

    def pending_rows(self) -> int:
        """Rows converted and not yet committed."""
        return sum(t.num_rows for t in self._tables)

    def drain(self, convert: Callable[[list[HistoryRow]], Any]) -> None:
        """Convert the rows appended so far into an Arrow table (writer thread)."""
        rows = self.rows
        n = len(rows)
        if not n:
            return
        batch = rows[:n]
        del rows[:n]
        if self.deleted:
            return
        table, bad = convert(batch)
        if bad:
            self.writer.warn_item(self.run_id, "row", f"nbtrack: dropped {len(bad)} history row(s) of run "
                                  f"{self.run_id} that could not be stored (first at step {bad[0][0]}: {bad[0][1]}).")
        if table is not None and table.num_rows:
            top = max(r[STEP_KEY] for r in batch if isinstance(r.get(STEP_KEY), int))
            self._max_step = top if self._max_step is None else max(self._max_step, top)
            self._tables.append(table)

    def take(self, now: float, beat: bool, convert: Callable[[list[HistoryRow]], Any]) -> TakenBatch:
        """Everything pending, as one batch; the buffers start empty (writer thread)."""
        self.drain(convert)
        with self._mu:
            update, self._update = self._update, {}
            blobs, self._blobs = self._blobs, {}
            files, self._files = self._files, []
            ops, self._ops = self._ops, []
        tables, self._tables = self._tables, []
        fields = dict(update)
        if beat and not self.closed:
            fields["heartbeat_at"] = time.time()
        if self._max_step is not None:
            fields["last_step"] = max(self._max_step, fields.get("last_step") or -1)
        batch = RunBatch(self.run_id, self.seq, list(tables), fields, list(files), [op.apply for op in ops],  # type: ignore[arg-type] # fields: a copy of the RunRecord update plus heartbeat/last_step
                         first=self.first, resume=self.resume)
        return TakenBatch(batch, tables, update, blobs, files, ops)

    def restore(self, taken: TakenBatch) -> None:
        """Put a batch back after a failed commit (newer updates win)."""
        with self._mu:
            update = dict(taken.update)
            update.update(self._update)
            self._update = update
            blobs = dict(taken.blobs)
            blobs.update(self._blobs)
            self._blobs = blobs
            self._files = [f for f in taken.files if f["path"] not in taken.dropped_files] + self._files
            self._ops = taken.ops + self._ops
        self._tables = taken.tables + self._tables

    def committed(self, taken: TakenBatch, outcome: BatchOutcome) -> None:
        """The commit went through: run the callbacks, or react to a deleted run or a taken id."""
        if outcome.status == "deleted":
            self._deleted()
            return
        if outcome.status == "conflict":
            self._new_id(taken)
            return
        self.first = False
        self.seq += 1
        self.last_write = time.monotonic()
        if "heartbeat_at" in taken.batch.update:
            self.next_beat = time.monotonic() + self.heartbeat_interval
        for op, result in zip(taken.ops, outcome.results):
            op.failures = 0
            if op.on_commit is not None:
                try:
                    op.on_commit(result)
                except Exception:  # boundary: a callback must not stop the writer thread
                    _log.warning("nbtrack: an operation's on_commit callback raised", exc_info=True)

    def _deleted(self) -> None:
        if not self.deleted:
            self.deleted = True
            self.writer.warn_item(self.run_id, "deleted", f"nbtrack: run {self.run_id} was deleted from "
                                  f"{self.writer.sink.location} while this process still logs to it; "
                                  "what it logs from now on is not stored.")
        with self._mu:
            self._update, self._blobs, self._files, self._ops = {}, {}, [], []
        self._tables = []
        del self.rows[:]

    def _new_id(self, taken: TakenBatch) -> None:
        old = self.run_id
        self.run_id = f"{old}-{secrets.token_hex(2)}"
        self._record["id"] = self.run_id
        taken.update = {**self._record}
        for f in taken.files:
            f["run_id"] = self.run_id
        self.restore(taken)
        self.writer.warn_item(old, "conflict", f"nbtrack: run id {old!r} is already taken in "
                              f"{self.writer.sink.location} by another run; this run is stored as "
                              f"{self.run_id!r}.")
        if self.on_new_id is not None:
            try:
                self.on_new_id(self.run_id)
            except Exception:  # boundary: a callback must not stop the writer thread
                _log.warning("nbtrack: the on_new_id callback of run %s raised", self.run_id, exc_info=True)

    def warn_file_gone(self, paths: list[str], exc: BaseException) -> None:
        """A file could not be copied: its source is gone or unreadable (one warning)."""
        names = ", ".join(repr(p) for p in paths)
        self.writer.warn_item(self.run_id, f"file-{names}", f"nbtrack: file {names} of run {self.run_id} "
                              f"was not saved: it was removed or became unreadable before it could be "
                              f"copied ({exc}).")

    def drop_operation(self, taken: TakenBatch, index: int, exc: BaseException, max_failures: int) -> None:
        """An operation raised (not storage trouble): count it; past ``max_failures`` drop it."""
        op = taken.ops[index]
        op.failures += 1
        if op.failures < max_failures:
            return
        taken.ops.pop(index)
        self.writer.warn_item(self.run_id, f"op-{id(op)}", f"nbtrack: dropped a pending operation of run "
                              f"{self.run_id} that failed {op.failures} times ({type(exc).__name__}: {exc}).")
        if op.on_error is not None:
            try:
                op.on_error(exc)
            except Exception:  # boundary: a callback must not stop the writer thread
                _log.warning("nbtrack: an operation's on_error callback raised", exc_info=True)
