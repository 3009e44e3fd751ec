"""The process's store writers, one per store: found by store, flushed so that a reader
sees the process's own writes, and drained when the interpreter exits."""

from __future__ import annotations

import os
import threading
import time
import warnings
from collections.abc import Callable

from ..exit_hooks import at_exit
from .errors import NbtrackStorageWarning
from .records import RunRecord
from .run_writer import RunWriter
from .store import Store
from .writer import StoreWriter

EXIT_CAP = 60.0  # seconds the exit waits for writers to drain
TROUBLE_WAIT = 1.0  # seconds a read waits for a writer in storage trouble

_writers: dict[str, StoreWriter] = {}
_lock = threading.Lock()


def writer_for(store: Store) -> StoreWriter:
    """This process's writer of ``store`` (made on first use)."""
    key = os.path.realpath(store.root)
    with _lock:
        writer = _writers.get(key)
        if writer is None:
            writer = _writers[key] = StoreWriter(store)
        return writer


def _snapshot() -> list[StoreWriter]:
    with _lock:
        return list(_writers.values())


def flush_store(store: Store, timeout: float | None = 5.0) -> bool:
    """Flush this process's writer of ``store`` (read-your-writes); True if all is written.

    A writer in a storage trouble episode is asked to try again now, and waited for at
    most ``TROUBLE_WAIT`` s (the trouble may be over; if not, the read only waits so long).
    """
    with _lock:
        writer = _writers.get(os.path.realpath(store.root))
    if writer is None:
        return True
    if writer.failing:
        writer.retry_now()
        return writer.flush(TROUBLE_WAIT if timeout is None else min(timeout, TROUBLE_WAIT))
    return writer.flush(timeout)


def flush_all(timeout: float | None = 5.0) -> bool:
    """Flush every writer of this process; True if all succeeded (failing ones are skipped)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    ok = True
    for w in _snapshot():
        if w.failing:
            ok = False
            continue
        remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
        ok = w.flush(remaining) and ok
    return ok


def _drain_at_exit(cap: float = EXIT_CAP) -> None:
    """At exit: wait (up to ``cap`` s) until every writer's data is written."""
    deadline = time.monotonic() + cap
    left = [w for w in _snapshot() if not w.flush(max(0.0, deadline - time.monotonic()))]
    if left:
        pending = "; ".join(f"{w.sink.location}: {w.pending_summary()}" for w in left)
        warnings.warn(f"nbtrack: could not finish writing within {cap:.0f} s; lost: {pending}.",
                      NbtrackStorageWarning, stacklevel=1)


at_exit(_drain_at_exit)


def open_run(
    store: Store, record: RunRecord, flush_interval: float = 1.0, heartbeat_interval: float = 10.0,
    lock_timeout: float | None = None, resume: bool = False,
    on_new_id: Callable[[str], None] | None = None,
) -> RunWriter:
    """Start writing a run into ``store`` through this process's writer of that store.

    ``lock_timeout`` (if given) sets how long the store's writer waits for the lock
    before it counts a try as failed.
    """
    writer = writer_for(store)
    if lock_timeout is not None:
        writer.lock_timeout = lock_timeout
    return writer.open_run(record, flush_interval, heartbeat_interval, resume, on_new_id)
