"""The process's open runs, the active one last: filled by the session, read below it.

`nbtrack.session` adds a run at `init()` and removes it when the run finishes (the
on-finish callback it hands the Run). The layers under the session that need the
active run read it here instead of importing the session: the notebook hooks (which
panel to show under the next cell), the integrations (`run=None` means the active run),
`Artifact` (which store its files are hashed into) and reports (the default project).

Starting a run is the session's job, yet `Artifact.save()` on a draft with no active run
starts a short one, as wandb does. The package (`nbtrack/__init__.py`, the top layer)
registers the starter with `set_run_starter`, so this module never imports upward.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .tracking.run import Run

#: Starts a run: `nbtrack.init`'s signature (keyword arguments only here).
RunStarter = Callable[..., "Run"]

_open: list[Run] = []  # open runs, the active one last
_starter: list[RunStarter] = []


def active() -> Run | None:
    """The active run (the one opened last and not finished yet), or None."""
    return _open[-1] if _open else None


def open_runs() -> list[Run]:
    """Every open run, the active one last (a copy: finishing one while iterating is safe)."""
    return list(_open)


def add(run: Run) -> None:
    """Make `run` the active run (called by `nbtrack.init()`)."""
    _open.append(run)


def remove(run: Run) -> None:
    """`run` is no longer open (its on-finish callback); the previous open run becomes active."""
    if run in _open:
        _open.remove(run)


def set_run_starter(starter: RunStarter) -> None:
    """Register how a run is started (`nbtrack.init`); the package does this on import."""
    _starter[:] = [starter]


def start_run(**init_kwargs: Any) -> Run:
    """Start a run with `nbtrack.init(**init_kwargs)` through the registered starter."""
    if not _starter:
        raise RuntimeError("nbtrack.active_runs: no run starter registered; import nbtrack first.")
    return _starter[0](**init_kwargs)
