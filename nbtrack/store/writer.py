"""The process's writer for one store: one daemon thread drains every run's buffers.

Each run of the process has a :class:`~nbtrack.store.run_writer.RunWriter` (its rows,
run update, files, blobs and pending operations). Every ``flush_interval`` (sooner when a
run's buffer is big, at once when someone waits in ``flush()``) the thread takes what all
runs have and commits it through the store's sink in ONE transaction: one lock, one open,
one commit for all the runs that have data. A process with a thousand finished runs has
this one thread, and none once nothing is left to write (it starts again on demand).

Storage trouble (lock, disk, permissions) never reaches the caller: everything is kept in
memory and retried with backoff, with one warning per episode and one when it recovers.
Anything else is a problem of one item (see ``bad_items``).
"""

from __future__ import annotations

import concurrent.futures.thread  # noqa: F401 - pyarrow imports it lazily; at exit that import would fail
import threading
import time
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import flush_requests
from .bad_items import BadItemIsolation, storage_trouble
from .errors import NbtrackStorageWarning
from .records import RunRecord
from .run_writer import RunWriter, TakenBatch
from .sink import BatchOutcome, Sink
from .store import Store

if TYPE_CHECKING:
    import pyarrow as pa

MAX_BACKOFF = 5.0
#: Python values a run buffers before they are converted to Arrow (a third of the memory)
MAX_BUFFER_VALUES = 50_000
#: converted rows a run holds before they are committed ahead of schedule
MAX_PENDING_ROWS = 100_000
TICK = 0.05
#: the shortest time between two commits made for readers in other processes (seconds)
ANSWER_INTERVAL = 0.25
#: warnings about single items (a bad value, a vanished file) shown per store writer
MAX_ITEM_WARNINGS = 20

#: set once a writer thread has loaded duckdb, pyarrow and numpy (see ``wait_ready``)
_libraries_ready = threading.Event()


class StoreWriter(BadItemIsolation):
    """Writes every run of this process into one store from one daemon thread."""

    def __init__(self, store: Store, sink: Sink | None = None, lock_timeout: float = 10.0) -> None:
        self.store = store
        self.sink: Sink = sink if sink is not None else _duckdb_sink(store)
        self.lock_timeout = lock_timeout
        #: storage warnings emitted so far (also sent through ``warnings.warn``)
        self.warnings: list[str] = []
        self._runs: dict[int, RunWriter] = {}  # the runs with something to write, or still open
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._thread: threading.Thread | None = None
        self._requested = 0  # flush tickets handed out
        self._done = 0  # highest ticket whose data is committed
        self._wake = threading.Event()
        self._failing = False  # in a storage trouble episode
        self._warned: set[tuple[str, str]] = set()
        self._item_warnings = 0
        self._retry_at = 0.0
        self._backoff = 0.25
        self._answered = 0  # the latest flush request of a reader elsewhere that was answered
        self._last_commit = 0.0

    def __repr__(self) -> str:
        return f"StoreWriter({self.sink.location!r}, runs={len(self._runs)})"

    # -- caller side ---------------------------------------------------------------------
    def open_run(
        self, record: RunRecord, flush_interval: float = 1.0, heartbeat_interval: float = 10.0,
        resume: bool = False, on_new_id: Callable[[str], None] | None = None,
    ) -> RunWriter:
        """A new run's buffers; its record is written at the next flush."""
        run = RunWriter(self, record, flush_interval, heartbeat_interval, resume, on_new_id)
        self.track(run)
        return run

    def track(self, run: RunWriter) -> None:
        """Have the thread take ``run``'s data (starts the thread if it is not running)."""
        with self._lock:
            if not run.tracked:
                run.tracked = True
                self._runs[id(run)] = run
            self._ensure_thread()

    def retry_now(self) -> None:
        """Cut a storage trouble backoff short: try again at the next tick."""
        self._retry_at = 0.0
        self._wake.set()

    def wake(self) -> None:
        """Look at the buffers now rather than at the next tick."""
        self._wake.set()

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until everything queued before this call is committed; True on success."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            if not self._runs:
                return True
            self._requested += 1
            ticket = self._requested
            self._ensure_thread()
        self._wake.set()
        with self._cond:
            while self._done < ticket:
                if self._thread is None:
                    return not self._runs
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._cond.wait(0.1 if remaining is None else min(remaining, 0.1))
        return True

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Block until a writer thread has loaded its libraries.

        They load on the thread so that init() returns at once; but a training loop that
        never releases the GIL would starve an import on another thread (each of its many
        file look-ups hands the GIL back and waits a switch interval to get it again), so
        a run waits here once, at its first committed step, giving the import the CPU.
        """
        _libraries_ready.wait(timeout)

    @property
    def failing(self) -> bool:
        """True while the last write attempt failed (data buffered in memory)."""
        return self._failing

    def pending_summary(self) -> str:
        """What is still waiting to be written, for a message."""
        runs = [r for r in list(self._runs.values()) if r.has_pending()]
        rows = sum(len(r.rows) + r.pending_rows() for r in runs)
        return f"{len(runs)} run(s), {rows:,} history row(s)"

    def warn_episode(self, kind: str, msg: str) -> None:
        """One warning per storage trouble episode (said again after a recovery)."""
        self._warn(("", kind), msg)

    def warn_item(self, run_id: str, kind: str, msg: str) -> None:
        """One warning per run and kind of item problem (at most MAX_ITEM_WARNINGS in all)."""
        if (run_id, kind) in self._warned:
            return
        self._item_warnings += 1
        if self._item_warnings > MAX_ITEM_WARNINGS:
            if self._item_warnings == MAX_ITEM_WARNINGS + 1:
                self._warn(("", "items"), f"nbtrack: more values could not be stored in {self.sink.location}; "
                           "further problems of this kind are not shown.")
            return
        self._warn((run_id, kind), msg)

    # -- thread side ---------------------------------------------------------------------
    def _ensure_thread(self) -> None:  # under self._lock
        if self._thread is None:
            flush_requests.register(self.store.root)
            self._thread = threading.Thread(target=self._loop, name="nbtrack-writer", daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        try:
            _load_libraries()
        finally:
            _libraries_ready.set()
        while True:
            try:
                if self._tick():
                    return
            except Exception as exc:  # a bug here must not end the writer
                self._warn(("", "internal"), f"nbtrack: the writer of {self.sink.location} hit an error "
                           f"({type(exc).__name__}: {exc}); it keeps the data and goes on.")
                time.sleep(1.0)

    def _snapshot(self) -> list[RunWriter]:
        with self._lock:
            return list(self._runs.values())

    def _due(self, runs: list[RunWriter], now: float) -> bool:
        if now < self._retry_at:
            return False
        if self._requested > self._done:
            return True
        for r in runs:
            if r.deleted:
                if r.rows:
                    r.drain(_convert)  # drops them
                continue
            if r.has_pending() and (r.closed or now - r.last_write >= r.flush_interval):
                return True
            if (not r.closed and now >= r.next_beat) or r.pending_rows() >= MAX_PENDING_ROWS:
                return True
        return False

    def _tick(self) -> bool:
        """Wait until a write is due, write; True when the thread should end (idle)."""
        while True:
            runs = self._snapshot()
            now = time.monotonic()
            request = flush_requests.request_time(self.store.root)  # a reader elsewhere waits
            # (at most every ANSWER_INTERVAL: a reader polling elsewhere must not turn
            # the writer's batches into a commit per read)
            asked = (request > self._answered and now >= self._retry_at
                     and now - self._last_commit >= ANSWER_INTERVAL)
            if asked or self._due(runs, now):
                break
            for r in runs:
                if r.buffer_big(MAX_BUFFER_VALUES):
                    # Convert early (Arrow holds a batch in about a third of the memory of
                    # the Python rows) but commit on schedule: each commit opens the file.
                    r.drain(_convert)
            if self._idle(runs):
                return True
            self._wake.wait(TICK)
            self._wake.clear()
        with self._cond:
            ticket = self._requested
        runs = self._snapshot()  # after the ticket: a run registered before it is included
        if self._write_once(runs):
            with self._cond:
                self._done = max(self._done, ticket)
                self._cond.notify_all()
            if asked:
                flush_requests.answer(self.store.root, request)
                self._answered = request
        return False

    def _idle(self, runs: list[RunWriter]) -> bool:
        """Forget runs that are closed and written; end the thread when none is left."""
        with self._cond:
            for r in runs:
                if (r.closed or r.deleted) and not r.has_pending() and not r.rows:
                    r.tracked = False
                    self._runs.pop(id(r), None)
            if not self._runs and self._requested <= self._done:
                flush_requests.unregister(self.store.root)
                self._thread = None
                self._cond.notify_all()
                return True
        return False

    def _write_once(self, runs: list[RunWriter]) -> bool:
        """Commit what every run has in one transaction; True once it is committed."""
        now = time.monotonic()
        taken: list[tuple[RunWriter, TakenBatch]] = []
        for r in runs:
            if r.deleted:
                continue
            beat = not r.closed and now >= r.next_beat
            if r.has_pending() or beat:
                taken.append((r, r.take(now, beat, _convert)))
        if not taken:
            return True
        try:
            self._put_blobs(taken)
            outcomes = self.sink.commit([t.batch for _, t in taken], timeout=self.lock_timeout)
        except Exception as exc:  # storage trouble never reaches the run
            if storage_trouble(exc):
                for r, t in taken:
                    r.restore(t)
                self._on_trouble(exc)
                return False
            return self._isolate(taken, exc)
        self._committed(taken, outcomes)
        # a run that got a new id is sent again under it before a flush counts as done
        return all(o.status != "conflict" for o in outcomes)

    def _committed(self, taken: list[tuple[RunWriter, TakenBatch]], outcomes: list[BatchOutcome]) -> None:
        self._last_commit = time.monotonic()
        for (r, t), outcome in zip(taken, outcomes):
            r.committed(t, outcome)
        if self._failing:
            self._failing = False
            self._warned = {w for w in self._warned if w[0] != ""}
            self._warn(("", "recovered"), f"nbtrack: storage at {self.sink.location} recovered; all "
                       "buffered data is written.")
        self._backoff = 0.25
        self._retry_at = 0.0

    def _put_blobs(self, taken: list[tuple[RunWriter, TakenBatch]]) -> None:
        """Copy blobs into the store before the commit that references them.

        A source file that is gone or unreadable is a problem of that file alone: its
        record is dropped with a warning. Trouble writing the store raises.
        """
        for r, t in taken:
            for sha, content in t.blobs.items():
                if self.sink.has_blob(sha):
                    continue
                if isinstance(content, bytes):
                    self.sink.put_blob(content, sha)
                    continue
                try:
                    src = open(content, "rb")  # noqa: SIM115 - closed by the `with` below; opened apart so a gone file is not store trouble
                except OSError as exc:
                    gone = [f for f in t.files if f["sha256"] == sha]
                    t.files[:] = [f for f in t.files if f["sha256"] != sha]
                    t.batch.files = list(t.files)
                    t.dropped_files.extend(f["path"] for f in gone)
                    r.warn_file_gone([f["path"] for f in gone] or [content], exc)
                    continue
                with src:
                    real, size = self.sink.put_blob_stream(src)
                for f in t.files:  # the file changed since add_file: keep what we copied
                    if f["sha256"] == sha:
                        f["sha256"], f["size"] = real, size

    def _on_trouble(self, exc: BaseException) -> None:
        kind = type(exc).__name__
        if not self._failing:
            self._failing = True
            self._warn(("", "trouble"), f"nbtrack: could not write to {self.sink.location} ({kind}: {exc}); "
                       f"the data ({self.pending_summary()}) is kept in memory and retried.")
        self._retry_at = time.monotonic() + self._backoff
        self._backoff = min(self._backoff * 2, MAX_BACKOFF)

    def _warn(self, key: tuple[str, str], msg: str) -> None:
        if key in self._warned:
            return
        self._warned.add(key)
        self.warnings.append(msg)
        warnings.warn(msg, NbtrackStorageWarning, stacklevel=2)


def _convert(rows: list[Any]) -> tuple[pa.Table | None, list[tuple[Any, str]]]:
    from .convert import rows_to_arrow_checked

    return rows_to_arrow_checked(rows)


def _duckdb_sink(store: Store) -> Sink:
    from .duckdb_sink import DuckDBSink

    return DuckDBSink(store)


def _load_libraries() -> None:
    """Import what converting and committing need (about 0.2-0.4 s on a cold process)."""
    import duckdb  # noqa: F401 - imported here, before the training loop holds the GIL
    import pandas  # noqa: F401 - duckdb imports it at the first scan of an Arrow table

    from . import convert, duckdb_sink  # noqa: F401 - numpy, pyarrow
