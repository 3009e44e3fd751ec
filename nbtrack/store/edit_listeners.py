"""Who wants to hear that a store's runs were edited or deleted (the team store's shippers).

The editor calls :func:`edited` after each change it committed; listeners registered with
:func:`listen` are called with the store (errors are theirs: a listener that fails is
ignored, the edit is done). This keeps the editor free of the team store's modules.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

_listeners: list[Callable[[Any], None]] = []
_lock = threading.Lock()


def listen(callback: Callable[[Any], None]) -> None:
    """Call ``callback(store)`` after every edit of a store in this process."""
    with _lock:
        if callback not in _listeners:
            _listeners.append(callback)


def edited(store: Any) -> None:
    """Tell the listeners that ``store``'s runs were edited or deleted."""
    with _lock:
        listeners = list(_listeners)
    for callback in listeners:
        with contextlib.suppress(Exception):  # an edit never fails for a listener
            callback(store)
