"""The store writers alive in this process: flushed together so a reader sees the
process's own writes, and drained when the interpreter exits."""

from __future__ import annotations

import threading
import time
import warnings
from typing import TYPE_CHECKING

from ..exit_hooks import at_exit
from .errors import NbtrackStorageWarning

if TYPE_CHECKING:
    from .writer import StoreWriter

EXIT_CAP = 60.0  # seconds the exit waits for writers to drain

_writers: set[StoreWriter] = set()
_lock = threading.Lock()


def add(writer: StoreWriter) -> None:
    """A writer's thread started."""
    with _lock:
        _writers.add(writer)


def discard(writer: StoreWriter) -> None:
    """A writer's thread ended."""
    with _lock:
        _writers.discard(writer)


def _snapshot() -> list[StoreWriter]:
    with _lock:
        return list(_writers)


def flush_all(timeout: float | None = 5.0) -> bool:
    """Flush every live writer of this process (read-your-writes); True if all succeeded.

    Writers that are currently failing are not waited for.
    """
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
    """At exit: close every writer and wait (up to ``cap`` s) until their data is written."""
    writers = _snapshot()
    for w in writers:
        w.close()
    deadline = time.monotonic() + cap
    left = [w for w in writers if not w.close(wait=True, timeout=max(0.0, deadline - time.monotonic()))]
    if left:
        warnings.warn(f"nbtrack: {len(left)} run(s) could not finish writing within {cap:.0f} s; "
                      "their latest history may be lost.", NbtrackStorageWarning, stacklevel=1)


at_exit(_drain_at_exit)
