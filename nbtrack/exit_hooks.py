"""Run code when the interpreter ends, before libraries tear themselves down.

`atexit` runs handlers last-registered-first, so a library imported after nbtrack
(duckdb registers a handler that interrupts its connections) would shut down before
nbtrack's writers drain. Handlers registered here run earlier, when the threading
module shuts down (where `concurrent.futures` registers its own), still last-first.
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Callable


def at_exit(handler: Callable[[], None]) -> None:
    """Call `handler()` at interpreter exit, before any `atexit` handler."""
    register = getattr(threading, "_register_atexit", None)
    if register is None:  # pragma: no cover - a Python without the private hook
        atexit.register(handler)
        return
    try:
        register(handler)
    except RuntimeError:  # pragma: no cover - registering during shutdown
        atexit.register(handler)
