"""Find the code a run comes from: the notebook file, or the script.

``find_notebook`` tries, in order (first hit with readable content wins):

1. ``NBTRACK_NOTEBOOK`` then ``WANDB_NOTEBOOK_NAME`` (explicit override; a path, relative
   to the current directory or absolute). An override is final even if unreadable.
2. ``JPY_SESSION_NAME`` (set by jupyter-server in the kernel's environment to the
   notebook path at kernel start; absolute in jupyter-server 2, relative to the server
   root in older ones): tried as is, against the cwd and against each server's root.
3. ``__vsc_ipynb_file__`` in the shell's user namespace (VS Code).
4. The running servers' ``/api/sessions`` matched by this kernel's id.
5. Colab (``get_ipynb``, main thread only) and Kaggle, when their modules exist.

A name found without readable content (e.g. a renamed notebook) is returned only if
nothing better turns up. ``history_notebook`` (re-exported here) rebuilds the cells that
actually ran from IPython's history, whatever is found.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from typing import Any

from nbtrack.capture import servers
from nbtrack.capture.history import history_notebook, history_notebook_bytes

__all__ = [
    "CodeSource",
    "find_notebook",
    "history_notebook",
    "history_notebook_bytes",
    "script_source",
]

#: Files larger than this are named but not read.
MAX_CONTENT_BYTES = 64 * 1024 * 1024

OVERRIDE_ENV = ("NBTRACK_NOTEBOOK", "WANDB_NOTEBOOK_NAME")


@dataclass
class CodeSource:
    """Where a run's code lives.

    ``name`` is the file name ("train.ipynb", "train.py"), ``path`` the absolute path when
    known, ``content`` the file's bytes when they could be read (what gets stored) and
    ``found_by`` how it was found ("env:JPY_SESSION_NAME", "vscode", "jupyter-server",
    "colab", "kaggle", "script", ...).
    """

    name: str
    path: str | None
    content: bytes | None
    found_by: str


def _read(path: str) -> bytes | None:
    try:
        if os.path.getsize(path) > MAX_CONTENT_BYTES:
            return None
        with open(path, "rb") as fh:
            return fh.read()
    except OSError:
        return None


def _from_path(path: str, found_by: str) -> CodeSource:
    absolute = os.path.abspath(os.path.expanduser(path))
    content = _read(absolute) if os.path.isfile(absolute) else None
    return CodeSource(
        name=os.path.basename(absolute) or path,
        path=absolute if content is not None else None,
        content=content,
        found_by=found_by,
    )


def _first_readable(candidates: list[str], found_by: str) -> CodeSource | None:
    seen: set[str] = set()
    for cand in candidates:
        absolute = os.path.abspath(os.path.expanduser(cand))
        if absolute in seen:
            continue
        seen.add(absolute)
        if os.path.isfile(absolute):
            src = _from_path(absolute, found_by)
            if src.content is not None:
                return src
    return None


def _jpy_session(value: str, deadline: float) -> CodeSource | None:
    candidates = [value]
    if not os.path.isabs(value):
        candidates.append(os.path.join(os.getcwd(), value))
    candidates.append(os.path.join(os.getcwd(), os.path.basename(value)))
    found = _first_readable(candidates, "env:JPY_SESSION_NAME")
    if found is None and not os.path.isabs(value) and time.monotonic() < deadline:
        roots = [str(s.get("root_dir") or s.get("notebook_dir") or "") for s in servers.running_servers()]
        found = _first_readable([os.path.join(r, value) for r in roots if r], "env:JPY_SESSION_NAME")
    return found


def _user_ns(shell: Any) -> dict[str, Any]:
    if shell is None:
        ipython = sys.modules.get("IPython")
        try:
            shell = ipython.get_ipython() if ipython is not None else None
        except Exception:  # boundary: a half torn-down shell counts as none
            shell = None
    ns = getattr(shell, "user_ns", None)
    return ns if isinstance(ns, dict) else {}


def _find(shell: Any, timeout: float) -> CodeSource | None:
    deadline = time.monotonic() + max(0.0, timeout)
    for var in OVERRIDE_ENV:
        value = os.environ.get(var)
        if value:
            return _from_path(value, f"env:{var}")

    fallback: CodeSource | None = None
    session = os.environ.get("JPY_SESSION_NAME")
    if session:
        found = _jpy_session(session, deadline)
        if found is not None:
            return found
        fallback = CodeSource(os.path.basename(session) or session, None, None, "env:JPY_SESSION_NAME")

    vsc = _user_ns(shell).get("__vsc_ipynb_file__")
    if isinstance(vsc, str) and vsc:
        found = _from_path(vsc, "vscode")
        if found.content is not None:
            return found
        fallback = fallback or found

    kid = servers.kernel_id()
    if kid and time.monotonic() < deadline:
        hit = servers.session_path(kid, timeout=min(1.0, timeout), deadline=deadline)
        if hit is not None:
            rel, absolute = hit
            if absolute:
                found = _from_path(absolute, "jupyter-server")
                if found.content is not None:
                    return found
            fallback = fallback or CodeSource(os.path.basename(rel), None, None, "jupyter-server")

    for found_by, name, content in servers.iter_hosted():
        return CodeSource(name=name, path=None, content=content, found_by=found_by)
    return fallback


def find_notebook(shell: Any = None, timeout: float = 2.0) -> CodeSource | None:
    """Find the notebook this kernel runs, with its content; None when unknown.

    ``shell`` is the IPython shell (default: the running one). Never raises; network
    look-ups are bounded by ``timeout`` seconds in total (Colab's own request excepted).
    """
    try:
        return _find(shell, timeout)
    except Exception:  # boundary: finding the notebook never raises (documented above)
        return None


def _in_ipython() -> bool:
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    try:
        return ipython.get_ipython() is not None
    except Exception:  # boundary: a half torn-down shell counts as none
        return False


def script_source() -> CodeSource | None:
    """The script being run (``sys.argv[0]``) when not inside IPython; else None."""
    try:
        if _in_ipython():
            return None
        argv0 = sys.argv[0] if sys.argv else ""
        if not argv0 or argv0 in ("-c", "-m", "-") or not os.path.isfile(argv0):
            return None
        src = _from_path(argv0, "script")
        return src if src.content is not None else None
    except Exception:  # boundary: an unreadable script is no code source, never an error
        return None
