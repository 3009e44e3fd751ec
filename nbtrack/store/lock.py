"""Cross-process file lock for the store (exclusive writers, shared readers).

Each acquisition opens its own file descriptor, so two threads of one process exclude
each other exactly like two processes do (``flock`` locks belong to the open file).
On platforms without ``fcntl`` (Windows) every acquisition is exclusive.

A reader needs no write access: a shared ``flock`` works on a read-only descriptor, so
a store the user can only read (another user's store, a lock file made by someone
else with umask 022, a read-only mount) is read under the shared lock; and where there
is no lock file and none can be made, the read goes ahead without one (a warning says
so once per store), since then no writer can be using it either.
"""

from __future__ import annotations

import errno
import os
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import LockTimeout, NbtrackStorageWarning

_NO_WRITE = (errno.EACCES, errno.EPERM, errno.EROFS)
_warned_unlocked: set[str] = set()
_warned_lock = threading.Lock()

if sys.platform != "win32":  # POSIX (a platform test, so the type checker skips the other branch)
    import fcntl

    def _try_lock(fd: int, shared: bool) -> bool:
        try:
            fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
            return True
        except (BlockingIOError, PermissionError):
            return False
        except OSError as exc:  # EAGAIN / EWOULDBLOCK on some systems
            if exc.errno in (11, 35):
                return False
            raise

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)

else:  # pragma: no cover - Windows
    import msvcrt

    def _try_lock(fd: int, shared: bool) -> bool:  # shared is treated as exclusive
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)


@contextmanager
def file_lock(path: Path, shared: bool = False, timeout: float | None = 10.0) -> Iterator[None]:
    """Hold a lock on ``path`` for the ``with`` block.

    ``shared=True`` takes a reader lock (many at once), else an exclusive writer lock.
    Polls with short sleeps; raises :class:`LockTimeout` after ``timeout`` seconds
    (``None`` waits forever). The lock file is created if missing; a reader that cannot
    write it locks it read-only, or reads without it when it neither exists nor can be made.
    """
    fd = _open(os.fspath(path), shared)
    if fd is None:
        yield
        return
    try:
        deadline = None if timeout is None else time.monotonic() + timeout
        delay = 0.001
        while not _try_lock(fd, shared):
            if deadline is not None and time.monotonic() >= deadline:
                raise LockTimeout(f"could not lock {path} within {timeout} s")
            time.sleep(delay)
            delay = min(delay * 2, 0.005)  # short polls: flock is not fair, a slow poller starves
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


def _open(path: str, shared: bool) -> int | None:
    """A descriptor to lock ``path`` with; None for a reader where no lock file can exist."""
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        if not shared or exc.errno not in _NO_WRITE:
            raise
    try:
        return os.open(path, os.O_RDONLY)
    except OSError as exc:
        if exc.errno != errno.ENOENT and exc.errno not in _NO_WRITE:
            raise
    _warn_unlocked(path)
    return None


def _warn_unlocked(path: str) -> None:
    with _warned_lock:
        if path in _warned_unlocked:
            return
        _warned_unlocked.add(path)
    warnings.warn(
        f"nbtrack: the store's lock file {path} does not exist and cannot be created (the store is "
        "read-only for you); reading without the lock. Said once per store.",
        NbtrackStorageWarning, stacklevel=4,
    )
