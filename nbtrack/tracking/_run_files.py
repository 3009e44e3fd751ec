"""`run.log_code()` and `wandb.restore()`: source files into an artifact, stored files back out.

log_code keeps the source files under `root` as a "code" artifact named
``source-<project>-<run id>`` (wandb's name), so they are versioned and deduplicated like
any artifact. restore reads a file saved with a run (this run, or "project/id" /
"entity/project/id") back onto disk.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ..errors import UsageError

if TYPE_CHECKING:
    from ..artifacts import Artifact
    from .run import Run

#: directories log_code never walks into (environments, caches, stores)
SKIP_DIRS = frozenset({".git", ".hg", ".svn", "__pycache__", ".ipynb_checkpoints", ".venv", "venv", "env",
                       "node_modules", "wandb", "nbtrack", "artifacts", ".mypy_cache", ".pytest_cache", "site-packages"})


def _is_python(path: str, root: str) -> bool:
    return path.endswith(".py")


def _never(path: str, root: str) -> bool:
    return False


def log_code(run: Run, root: str | os.PathLike[str] | None = ".", name: str | None = None,
             include_fn: Callable[..., bool] = _is_python, exclude_fn: Callable[..., bool] = _never) -> Artifact | None:
    """Log the files under `root` that `include_fn(path, root)` accepts (default: `*.py`)
    and `exclude_fn(path, root)` does not, as a "code" artifact; None when none match."""
    from ..artifacts import Artifact

    base = os.path.abspath(os.fspath(root if root is not None else "."))
    store = os.path.abspath(run.store_dir) if run.store_dir else None
    chosen: list[tuple[str, str]] = []
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS
                             and os.path.abspath(os.path.join(dirpath, d)) != store)
        for fname in sorted(filenames):
            full = os.path.join(dirpath, fname)
            if _call(include_fn, full, base) and not _call(exclude_fn, full, base):
                chosen.append((full, os.path.relpath(full, base).replace(os.sep, "/")))
    if not chosen:
        return None
    art_name = name or re.sub(r"[^A-Za-z0-9_.-]", "_", f"source-{run.project}-{run.id}")
    art = Artifact(art_name, "code")
    if run.store is not None:
        art.use_store(run.store)
    for full, rel in chosen:
        art.add_file(full, name=rel)
    logged: Artifact = run.log_artifact(art)
    return logged


def _call(fn: Callable[..., bool], path: str, root: str) -> bool:
    try:
        return bool(fn(path, root))
    except TypeError:  # wandb's older one-argument form
        return bool(fn(path))


def restore(name: str, run_path: str | None = None, replace: bool = False, root: str | os.PathLike[str] | None = None,
            active: Run | None = None) -> IO[Any]:
    """Write the file `name` saved with a run under `root` (default: the working directory)
    and return it open for reading; an existing file is kept unless `replace`.

    `run_path` ("id", "project/id" or "entity/project/id") names the run; without it,
    the active run's earlier files are searched (a resumed run's files).
    """
    from ..api import Api

    if run_path is None:
        if active is None:
            raise UsageError("nbtrack.restore needs a run: pass run_path='project/run_id' or call nbtrack.init() first.")
        run_path = active.id
    store_dir = active.store_dir if active is not None and active.store_dir else None
    api_run = Api(dir=store_dir).run(run_path)
    target = Path(root if root is not None else ".") / name
    if replace or not target.exists():
        try:
            api_run.file(name).download(Path(root if root is not None else "."), replace=True)
        except KeyError:
            raise ValueError(f"nbtrack.restore: run {api_run.id} has no file {name!r}; its files are "
                             f"{[f.name for f in api_run.files()][:20]}.") from None
    return open(target)
