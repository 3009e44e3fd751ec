"""wandb's ``save(glob_str, base_path=None, policy="live")`` file selection.

The glob expands when ``save`` is called (files created later are not picked up; call
``save`` again), as in wandb. Naming follows wandb's rules:

- the glob is resolved against the current directory (also when ``base_path`` is given);
- ``base_path`` given: names are paths relative to it;
- no ``base_path`` and a relative glob: names are relative to the current directory
  (``save("out/*.txt")`` stores ``out/a.txt``);
- no ``base_path`` and an absolute glob: names keep one folder, the glob's directory
  (``save("/mnt/ckpt/*.pt")`` stores ``ckpt/a.pt``; wandb warns "Saving files without
  folders" and suggests ``base_path``);
- a glob above ``base_path``, or equal to it, is a ``ValueError``.

Unlike wandb, ``**`` is recursive, and a glob whose first part is ``*`` is allowed.
Directories are skipped; a glob matching nothing gives ``[]`` (the caller warns).
"""

from __future__ import annotations

import glob
import os
import threading
from pathlib import Path, PurePath

from ..kept_files import FileSignature, file_signature

POLICIES = ("live", "now", "end")


def check_policy(policy: str) -> str:
    """Return ``policy`` if it is "live", "now" or "end"; else raise ValueError."""
    if policy not in POLICIES:
        raise ValueError(f'save: policy must be one of "live", "now", "end"; got {policy!r}')
    return policy


def absolute_glob_warning(glob_str: str | os.PathLike[str], base_path: object) -> str | None:
    """wandb's warning text when an absolute glob is saved without base_path, else None."""
    if base_path is None and os.path.isabs(os.path.expanduser(os.fspath(glob_str))):
        return (
            f"nbtrack.save: {os.fspath(glob_str)!r} is absolute and has no base_path, so each file keeps "
            "only its parent folder in its name; pass base_path (e.g. base_path='/mnt') to keep more."
        )
    return None


def expand_save(
    glob_str: str | bytes | os.PathLike[str],
    base_path: str | os.PathLike[str] | None = None,
) -> list[tuple[str, Path]]:
    """Expand a save glob now: sorted [(name inside the run, absolute source path)].

    Names use "/" separators. See the module doc for the naming rules.
    """
    if isinstance(glob_str, bytes):
        glob_str = glob_str.decode("utf-8")
    if not isinstance(glob_str, (str, os.PathLike)):
        raise TypeError(f"save: glob_str must be a str or path, got {type(glob_str).__name__}")
    text = os.path.expanduser(os.fspath(glob_str))
    if not text:
        raise ValueError("save: glob_str is empty")
    if text.startswith(("gs://", "s3://", "http://", "https://")):
        return []  # wandb logs "is a cloud storage url" and saves nothing

    pattern = os.path.abspath(text)
    if base_path is not None:
        base = os.path.abspath(os.path.expanduser(os.fspath(base_path)))
    elif not os.path.isabs(text):
        base = os.getcwd()
    else:
        base = os.path.dirname(os.path.dirname(pattern))

    base_parts = PurePath(base).parts
    pattern_parts = PurePath(pattern).parts
    if pattern_parts[: len(base_parts)] != base_parts:
        raise ValueError(f"save: glob {text!r} may not walk above the base path {base!r}")
    if len(pattern_parts) == len(base_parts):
        raise ValueError(f"save: glob {text!r} cannot be the same as the base path")

    found: dict[str, Path] = {}
    for match in glob.glob(pattern, recursive=True):
        if os.path.isdir(match):
            continue
        parts = PurePath(os.path.abspath(match)).parts
        if parts[: len(base_parts)] != base_parts:
            continue  # e.g. a symlinked name resolving elsewhere in the glob
        name = "/".join(parts[len(base_parts) :])
        if name:
            found[name] = Path(match).absolute()
    return sorted(found.items())


class SavedFileWatcher:
    """Remembers the state files were saved in and reports which changed since.

    ``add`` records a file as saved in its current state; ``changed`` returns the
    (name, path) pairs whose signature (mtime, size, inode) moved since the last
    ``add``/``changed`` and records the new state; ``unchanged`` asks about one file
    without recording. Missing files are not reported (nothing to save) and are reported
    again once they reappear. Thread-safe.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._files: dict[str, tuple[Path, FileSignature | None]] = {}

    def add(self, name: str, path: str | os.PathLike[str]) -> None:
        """Watch ``path`` under run name ``name`` (replacing an earlier path for it)."""
        p = Path(path).absolute()
        with self._lock:
            self._files[name] = (p, file_signature(p))

    def add_all(self, entries: list[tuple[str, Path]]) -> None:
        """``add`` every (name, path) pair, e.g. the result of ``expand_save``."""
        for name, path in entries:
            self.add(name, path)

    def changed(self) -> list[tuple[str, Path]]:
        """The watched files that changed since last seen, sorted by name."""
        out: list[tuple[str, Path]] = []
        with self._lock:
            items = list(self._files.items())
        for name, (path, old) in items:
            new = file_signature(path)
            if new is not None and new != old:
                out.append((name, path))
            if new != old:
                with self._lock:
                    if name in self._files and self._files[name][0] == path:
                        self._files[name] = (path, new)
        return sorted(out)

    def unchanged(self, name: str, path: str | os.PathLike[str]) -> bool:
        """True if ``name`` was saved from ``path`` and the file is still as it was then."""
        with self._lock:
            seen = self._files.get(name)
        p = Path(path).absolute()
        return seen is not None and seen[0] == p and seen[1] is not None and seen[1] == file_signature(p)

    def names(self) -> list[str]:
        """Run names being watched."""
        with self._lock:
            return sorted(self._files)

    def __len__(self) -> int:
        with self._lock:
            return len(self._files)
