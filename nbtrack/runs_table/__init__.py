"""The runs table: `nbtrack.table(project)` / `%nbtrack runs [project]`.

(The package is `runs_table`, not `table`: importing a submodule binds the package as an
attribute of `nbtrack`, which would hide the `nbtrack.table` function.)
"""

from __future__ import annotations

from typing import Any


def table(project: str | None = None, dir: Any = None, filter: str = "", store: str | None = None) -> Any:
    """The runs table widget for ``project`` (all projects when None) in store ``dir``, or
    over the team's runs with ``store="postgresql://..."`` (or ``NBTRACK_STORE``)."""
    from .widget import table as _table

    return _table(project=project, dir=dir, filter=filter, store=store)


def __getattr__(name: str) -> Any:
    if name == "RunsTable":
        from .widget import RunsTable

        return RunsTable
    raise AttributeError(name)
