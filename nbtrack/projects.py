"""Project names: what `init(project=)` accepts and how read paths name a project.

As in wandb, a project name (and a run id) cannot contain ``/ \\ # ? % :`` (nor control characters)
and is at most 128 characters, so writing never creates a name that reads back as
something else. Read paths take wandb's forms: ``"project"`` or ``"entity/project"``
(a local store has no entities: the entity part is ignored). Writing and reading thus
agree, and no name can reach another project's runs.
"""

from __future__ import annotations

from typing import Any

MAX_PROJECT = 128
FORBIDDEN = "/\\#?%:"


def check_project(name: Any, source: str = "nbtrack.init: project", what: str = "a project name") -> str:
    """``name`` if it is a valid project name, else ValueError saying what to change."""
    if not isinstance(name, str):
        raise TypeError(f"{source} must be a string, got {type(name).__name__}.")
    found = sorted({c for c in name if c in FORBIDDEN})
    bad = [c for c in name if ord(c) < 32 or ord(c) == 127]
    if not name.strip() or len(name) > MAX_PROJECT or found or bad:
        why = (f"found {''.join(found)!r}" if found else "found a control character" if bad
               else "it is empty" if not name.strip() else f"it is longer than {MAX_PROJECT} characters")
        hint = " (wandb's 'entity/project' form: pass entity= separately, it is ignored here)" if "/" in found else ""
        raise ValueError(f"{source} {name!r} is invalid: {what} is 1 to {MAX_PROJECT} characters "
                         f"without {' '.join(FORBIDDEN)} or control characters; {why}{hint}.")
    return name


def check_run_id(run_id: Any, source: str = "nbtrack.init: id") -> str:
    """A run id follows the same rule (wandb's too): ``"a/b"`` would read back as run ``b``
    of project ``a``."""
    return check_project(run_id, source, "a run id")


def project_from_path(path: Any) -> str | None:
    """The project a read path names: ``"project"`` or ``"entity/project"``; None for all.

    ValueError for any other shape (``"a/b/c"``, ``"team/"`` with an empty project).
    """
    if path is None or path == "":
        return None
    text = str(path)
    parts = text.split("/")
    if len(parts) > 2 or not all(parts):
        raise ValueError(f"nbtrack: cannot read the project path {text!r}; use 'project' or 'entity/project'.")
    return parts[-1]


def run_path(path: Any) -> tuple[str | None, str]:
    """(project or None, run id) of ``"id"``, ``"project/id"`` or ``"entity/project/id"``."""
    text = str(path)
    parts = text.split("/")
    if len(parts) > 3 or not all(parts):
        raise ValueError(f"nbtrack: cannot read the run path {text!r}; use 'id', 'project/id' or "
                         "'entity/project/id'.")
    return (parts[-2] if len(parts) >= 2 else None), parts[-1]
