"""The process's shippers: one background thread per (local store, team store) pair.

``init(store="postgresql://...")`` registers its run with the shipper of its local store;
the thread ships every ``interval`` seconds while a run is open, once more after the last
one finished, and at interpreter exit (after the local writers drained). Trouble with the
server (it is down, the VPN dropped) never reaches the training: the data waits in the
local store, one warning says so (credentials redacted), shipping is retried with
backoff and a second warning says when it recovered. ``nbtrack sync`` ships whatever is
left later.
"""

from __future__ import annotations

import os
import threading
import time
import warnings

from ...exit_hooks import at_exit
from .. import edit_listeners, live_writers
from ..errors import NbtrackStorageWarning, StoreVersionError
from ..store import Store
from .connect import TeamStoreError
from .ship import Connection, ShipResult, ship
from .url import redact, redact_text

INTERVAL = 1.0
MAX_BACKOFF = 10.0
#: seconds the interpreter's exit waits for the last shipping pass
EXIT_CAP = 30.0

_shippers: dict[tuple[str, str], Shipper] = {}
_lock = threading.Lock()


class Shipper:
    """Ships a local store's runs to one team store from a daemon thread."""

    def __init__(self, store: Store, url: str, interval: float = INTERVAL,
                 blob_dir: str | os.PathLike[str] | None = None) -> None:
        self.store = store
        self.url = url
        self.location = redact(url)
        self.interval = interval
        self.blob_dir = blob_dir
        #: what the passes shipped so far
        self.shipped = ShipResult()
        #: warnings emitted (also sent through ``warnings.warn``)
        self.warnings: list[str] = []
        self._open: set[str] = set()
        self._cond = threading.Condition()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._requested = 0
        self._done = 0
        self._failing = False
        self._warned_conflicts: set[str] = set()
        self._team: Connection | None = None

    @property
    def idle(self) -> bool:
        """No run open and everything shipped (the thread ended after a successful pass)."""
        with self._cond:
            return self._thread is None and not self._failing and self._requested <= self._done

    @property
    def failing(self) -> bool:
        """True while the last pass failed (the data waits in the local store)."""
        return self._failing

    def track(self, run_id: str) -> None:
        """A run of this process writes to the local store: ship while it is open."""
        with self._cond:
            self._open.add(run_id)
            self._ensure_thread()

    def release(self, run_id: str) -> None:
        """The run finished: ship what it has left, then stop when no run is open."""
        with self._cond:
            self._open.discard(run_id)
            self._requested += 1
            self._ensure_thread()
        self._wake.set()

    def request(self) -> None:
        """Ship soon (an edit or a deletion in the local store), without waiting."""
        with self._cond:
            self._requested += 1
            self._ensure_thread()
        self._wake.set()

    def flush(self, timeout: float | None = 10.0) -> bool:
        """Ship everything in the local store now; True once a pass after this call succeeded."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            self._requested += 1
            ticket = self._requested
            self._ensure_thread()
        self._wake.set()
        with self._cond:
            while self._done < ticket:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                if self._thread is None and self._done < ticket:
                    self._ensure_thread()
                self._cond.wait(0.1 if remaining is None else min(0.1, remaining))
        return True

    def _ensure_thread(self) -> None:  # under self._cond
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="nbtrack-shipper", daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        backoff = self.interval
        while True:
            with self._cond:
                ticket = self._requested
            if self._pass():
                backoff = self.interval
                with self._cond:
                    self._done = max(self._done, ticket)
                    self._cond.notify_all()
                    if not self._open and self._requested <= self._done:
                        self._thread = None
                        self._close()
                        return
                wait = self.interval
            else:
                backoff = min(backoff * 2, MAX_BACKOFF)
                wait = backoff
            self._wake.wait(wait if not self._failing else backoff)
            self._wake.clear()

    def _pass(self) -> bool:
        # what this process logged reaches the local store first
        live_writers.flush_store(self.store, timeout=5.0)
        try:
            if self._team is None:
                self._team = Connection(self.url, self.blob_dir)
            result = ship(self.store, self._team)
        except StoreVersionError as exc:
            self._warn(f"nbtrack: the team store {self.location} was written by a newer nbtrack ({exc}); "
                       "runs stay in the local store until nbtrack is upgraded.")
            self._failing = True
            return False
        except Exception as exc:  # the training never sees the server's trouble
            self._close()
            if not self._failing:
                self._failing = True
                message = redact_text(str(exc), self.url) if not isinstance(exc, TeamStoreError) else str(exc)
                self._warn(f"nbtrack: could not ship runs to {self.location} ({type(exc).__name__}: {message}); "
                           f"they are kept in the local store {self.store.root} and shipped when it is back "
                           "(or run `nbtrack sync`).")
            return False
        self.shipped.add(result)
        for run_id in result.conflicts:
            if run_id not in self._warned_conflicts:
                self._warned_conflicts.add(run_id)
                self._warn(f"nbtrack: run id {run_id!r} is already in {self.location} from another machine; "
                           "this run stays in the local store only.")
        for name in result.artifact_conflicts:
            if name not in self._warned_conflicts:
                self._warned_conflicts.add(name)
                self._warn(f"nbtrack: artifact {name!r} has another type in {self.location}; its versions "
                           "stay in the local store only (log them under another name).")
        if self._failing:
            self._failing = False
            self._warn(f"nbtrack: the team store {self.location} is reachable again; the waiting runs are shipped.")
        return True

    def _close(self) -> None:
        if self._team is not None:
            self._team.close()
            self._team = None

    def _warn(self, message: str) -> None:
        self.warnings.append(message)
        warnings.warn(message, NbtrackStorageWarning, stacklevel=2)


def shipper_for(store: Store, url: str, blob_dir: str | os.PathLike[str] | None = None) -> Shipper:
    """This process's shipper from ``store`` to ``url`` (made on first use)."""
    key = (os.path.realpath(store.root), url)
    with _lock:
        found = _shippers.get(key)
        if found is None:
            found = _shippers[key] = Shipper(store, url, interval=_interval(), blob_dir=blob_dir)
        return found


def shippers_to(url: str) -> list[Shipper]:
    """This process's shippers to one team store."""
    with _lock:
        return [s for (_, u), s in _shippers.items() if u == url]


def _interval() -> float:
    try:
        return max(0.05, float(os.environ.get("NBTRACK_SHIP_INTERVAL", INTERVAL)))
    except ValueError:
        return INTERVAL


def _ship_at_exit(cap: float = EXIT_CAP) -> None:
    with _lock:
        shippers = [s for s in _shippers.values() if not s.idle]
    if not shippers:
        return
    live_writers.flush_all(timeout=cap / 2)
    deadline = time.monotonic() + cap
    for s in shippers:
        left = max(0.0, deadline - time.monotonic())
        if not s.flush(min(left, 5.0) if s.failing else left):
            warnings.warn(f"nbtrack: runs not yet shipped to {s.location} wait in the local store {s.store.root}; "
                          "`nbtrack sync` ships them.", NbtrackStorageWarning, stacklevel=1)


def _ship_edits(store: Store) -> None:
    """A local store's runs were edited or deleted: its shippers in this process ship soon."""
    root = os.path.realpath(store.root)
    with _lock:
        shippers = [s for (r, _), s in _shippers.items() if r == root]
    for shipper in shippers:
        shipper.request()


at_exit(_ship_at_exit)
edit_listeners.listen(_ship_edits)
