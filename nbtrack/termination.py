"""SIGTERM and SIGHUP (``scancel``, ``docker stop``, Kubernetes, a closed terminal): let
nbtrack write out first, then do what the signal did before.

Without this the default action ends the process at once: the last buffered second is
lost and the run reads crashed. Handlers can only be set from the main thread; elsewhere
nothing is installed and the exit hooks still cover a normal exit.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))
_previous: dict[int, Any] = {}


def on_termination(handler: Callable[[int], None]) -> None:
    """Call ``handler(signum)`` on SIGTERM/SIGHUP, then chain to the handler that was set
    before (the default one kills the process with the same signal). Installed once."""
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in _SIGNALS:
        if sig in _previous:
            continue
        try:
            previous = signal.getsignal(sig)
            signal.signal(sig, _make_handler(handler, previous))
        except (ValueError, OSError):  # not allowed here (an embedded interpreter, say)
            continue
        _previous[sig] = previous


def _make_handler(handler: Callable[[int], None], previous: Any) -> Callable[[int, FrameType | None], None]:
    def handle(signum: int, frame: FrameType | None) -> None:
        try:
            handler(signum)
        finally:
            _chain(signum, frame, previous)

    return handle


def _chain(signum: int, frame: FrameType | None, previous: Any) -> None:
    if callable(previous):
        previous(signum, frame)
    elif previous == signal.SIG_IGN:
        return
    else:  # the default action: end the process by the same signal
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
