"""More of wandb's module-level functions, each acting on the active run.

`nbtrack.alert`, `log_model`, `use_model`, `link_model`, `unwatch`, `restore`,
`mark_preempting`, and `require` (wandb's feature flags: nothing to switch on here).
"""

from __future__ import annotations

import os
from typing import IO, Any

from .session import active
from .session import require as _active_run
from .tracking import _run_files as run_files


def alert(title: str, text: str, level: Any = None, wait_duration: Any = None) -> None:
    """Show an alert under the cell and keep it with the active run (see `Run.alert`)."""
    _active_run("nbtrack.alert()").alert(title, text, level, wait_duration)


def log_model(path: str | os.PathLike[str], name: str | None = None, aliases: list[str] | None = None) -> Any:
    """Log a model file or folder as a "model" artifact of the active run."""
    return _active_run("nbtrack.log_model()").log_model(path, name, aliases)


def use_model(name: str) -> str:
    """Use a "model" artifact in the active run; returns its downloaded path."""
    return _active_run("nbtrack.use_model()").use_model(name)


def link_model(path: str | os.PathLike[str], registered_model_name: str, name: str | None = None,
               aliases: list[str] | None = None) -> Any:
    """Log a model with the active run and link it into a registry collection."""
    return _active_run("nbtrack.link_model()").link_model(path, registered_model_name, name, aliases)


def unwatch(models: Any = None) -> None:
    """Stop watching models of the active run (see `Run.unwatch`)."""
    _active_run("nbtrack.unwatch()").unwatch(models)


def mark_preempting() -> None:
    """wandb's preemption flag on the active run (see `Run.mark_preempting`)."""
    _active_run("nbtrack.mark_preempting()").mark_preempting()


def restore(name: str, run_path: str | None = None, replace: bool = False,
            root: str | os.PathLike[str] | None = None) -> IO[Any]:
    """Write a file saved with a run under `root` (default: the working directory) and
    return it open; `run_path` ("project/id") names the run, else the active one."""
    return run_files.restore(name, run_path, replace, root, active=active())


def require(requirement: str | list[str] | None = None, experiment: Any = None) -> None:
    """wandb's opt-in feature flags ("service", "core", ...): nbtrack has no such
    features to switch, so every requirement is already met."""
    if requirement is not None and not isinstance(requirement, (str, list, tuple)):
        raise TypeError("nbtrack.require: pass a feature name such as 'core'.")
