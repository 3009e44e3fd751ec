"""Cross-process file lock for the store (exclusive writers, shared readers).

Each acquisition opens its own file descriptor, so two threads of one process exclude
each other exactly like two processes do (``flock`` locks belong to the open file).
On platforms without ``fcntl`` (Windows) every acquisition is exclusive.
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .errors import LockTimeout

try:  # POSIX
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

except ImportError:  # pragma: no cover - Windows
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
    (``None`` waits forever). The lock file is created if missing.
    """
    fd = os.open(os.fspath(path), os.O_RDWR | os.O_CREAT, 0o666)
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
