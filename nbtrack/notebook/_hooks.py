"""IPython event hooks: where the live panel shows up and when its state is saved.

On each new cell execution the active run is told to show its panel again under the
first cell that logs to it; after each cell the panel writes its compact state into
traits, so a reloaded page or a saved notebook shows the curves as they are.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from .. import active_runs

_log = logging.getLogger(__name__)

_registered: set[int] = set()


def shell() -> Any:
    """The running IPython shell, or None in a plain interpreter."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return None
    try:
        return ipython.get_ipython()
    except Exception:  # pragma: no cover
        return None


def is_kernel(ip: Any) -> bool:
    """True when the shell is a Jupyter kernel that can display widgets."""
    kernel_shell = sys.modules.get("ipykernel.zmqshell")
    return bool(ip is not None and kernel_shell is not None and isinstance(ip, kernel_shell.ZMQInteractiveShell))


def install() -> Any:
    """Register the hooks once per shell; returns the shell (None outside IPython)."""
    ip = shell()
    if ip is None:
        return None
    if id(ip) not in _registered:
        ip.events.register("pre_run_cell", _pre_run_cell)
        ip.events.register("post_run_cell", _post_run_cell)
        _registered.add(id(ip))
    return ip


def _pre_run_cell(info: Any = None) -> None:
    run = active_runs.active()
    if run is not None and run.live is not None:
        run.live_cell_pending = True


def _post_run_cell(result: Any = None) -> None:
    for run in active_runs.open_runs():
        if run.live is not None:
            try:
                run.live.checkpoint()
            except Exception:  # boundary: a display problem must not break the user's cell
                _log.debug("live panel checkpoint failed", exc_info=True)
