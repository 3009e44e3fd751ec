"""Read-your-writes across processes on one host: the CLI (``!nbtrack runs`` in a training
notebook) asks the writers of the other processes to write what they hold now, and waits
briefly until they have. Other readers do not ask: a widget polling the store would turn
every writer's batches into a commit per read.

A process whose store writer runs keeps a file ``writers/<host>-<pid>`` in the store. A
reader sets the mtime of ``flush.request`` to now; each writer looks at that mtime on every
tick (a ``stat``), writes everything it holds, then sets its own file's mtime to the
request's. The reader waits until every live writer of this host has answered, at most
``WAIT`` seconds: a writer in trouble, or one on another host, never holds a read up for
longer. Nothing here raises: a store the reader cannot write to is read without asking.
"""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

WRITERS_DIR = "writers"
REQUEST_FILE = "flush.request"
#: the longest a read waits for other processes' writers (seconds)
WAIT = 1.0
_POLL = 0.01

_HOST = socket.gethostname().replace(os.sep, "_")


def _own(root: Path) -> Path:
    return root / WRITERS_DIR / f"{_HOST}-{os.getpid()}"


def register(root: Path) -> None:
    """This process's writer of ``root`` runs: readers elsewhere may ask it to flush."""
    try:
        path = _own(root)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    except OSError:
        pass


def unregister(root: Path) -> None:
    """This process's writer of ``root`` stopped (nothing left to write)."""
    try:
        _own(root).unlink()
    except OSError:
        pass


def request_time(root: Path) -> int:
    """The time (ns) of the latest flush request, 0 if none."""
    try:
        return (root / REQUEST_FILE).stat().st_mtime_ns
    except OSError:
        return 0


def answer(root: Path, request_ns: int) -> None:
    """Say that everything held when the request of ``request_ns`` came is written."""
    try:
        os.utime(_own(root), ns=(request_ns, request_ns))
    except OSError:
        register(root)
        try:
            os.utime(_own(root), ns=(request_ns, request_ns))
        except OSError:
            pass


def ask_others(root: Path, wait: float = WAIT) -> bool:
    """Ask the live writers of other processes on this host to flush; True once all did."""
    others = _live_others(root)
    if not others:
        return True
    request_ns = time.time_ns()
    try:
        request = root / REQUEST_FILE
        request.touch()
        os.utime(request, ns=(request_ns, request_ns))
    except OSError:
        return False  # a store we cannot write to: read what is there
    deadline = time.monotonic() + wait
    while True:
        waiting = [p for p in others if _answered(p) < request_ns]
        if not waiting:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(_POLL)


def _answered(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 1 << 62  # gone: its writer stopped, so it holds nothing


def _live_others(root: Path) -> list[Path]:
    try:
        entries = list((root / WRITERS_DIR).iterdir())
    except OSError:
        return []
    me = os.getpid()
    out = []
    for path in entries:
        host, _, pid = path.name.rpartition("-")
        if host != _HOST or not pid.isdigit() or int(pid) == me:
            continue
        if _alive(int(pid)):
            out.append(path)
    return out


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
