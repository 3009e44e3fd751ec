"""Which stores a Jupyter server may show: store directories under its root directory.

A store is named in URLs by its path relative to the server's root (``nbtrack``,
``experiments/nbtrack``). ``resolve_store`` refuses anything that is not such a path:
absolute paths, ``..`` segments, hidden components (unless the server allows hidden
files), symlinks leading out of the root, directories without a ``runs.duckdb``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath

from ..store.paths import DB_NAME

MAX_DEPTH = 4
_SKIP = {"node_modules", "__pycache__", "site-packages", ".git", ".venv", "venv"}


class StoreNotFound(LookupError):
    """The URL names no store the server may show."""


def resolve_store(root: str | os.PathLike[str], rel: str | None, allow_hidden: bool = False) -> Path:
    """The store directory ``rel`` names under ``root`` (default ``nbtrack``), or StoreNotFound."""
    raw = (rel or "nbtrack").replace("\\", "/")
    if raw.startswith("/") or re.match(r"^[A-Za-z]:", raw) or "\0" in raw:
        raise StoreNotFound(f"{raw!r} is not a path inside the server's root")
    rel = raw.strip("/") or "."
    parts = PurePosixPath(rel).parts
    if any(p == ".." for p in parts):
        raise StoreNotFound(f"{rel!r} is not a path inside the server's root")
    if not allow_hidden and any(p.startswith(".") and p != "." for p in parts):
        raise StoreNotFound(f"{rel!r} is hidden")
    base = Path(root).resolve()
    target = (base / Path(*parts)).resolve()
    if target != base and base not in target.parents:
        raise StoreNotFound(f"{rel!r} leads out of the server's root")
    if not (target / DB_NAME).is_file():
        raise StoreNotFound(f"no nbtrack store at {rel!r}")
    return target


def find_stores(root: str | os.PathLike[str], max_depth: int = MAX_DEPTH, allow_hidden: bool = False) -> list[str]:
    """Relative paths (POSIX) of the store directories under ``root``, sorted."""
    base = Path(root).resolve()
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(base):
        here = Path(dirpath)
        depth = len(here.relative_to(base).parts)
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP and (allow_hidden or not d.startswith("."))
                             and depth < max_depth)
        if DB_NAME in filenames:
            found.append(here.relative_to(base).as_posix() or ".")
    return sorted(found)
