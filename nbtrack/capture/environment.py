"""Describe the environment a run ran in: interpreter, machine, git state, packages.

Meant to run on a background thread at ``init``. The package list is read once per
process (it only changes when someone installs into a running kernel, and walking every
distribution's metadata is the slow part). Git is asked through the ``git`` command with
a timeout per call; no git, no repository or a stuck git just gives ``None``.
"""

from __future__ import annotations

import json
import os
import platform
import re
import socket
import subprocess
import sys
import threading
from typing import Any

import psutil

from ..store.postgres.url import redact_text

#: ``git diff HEAD`` output is cut at this many bytes.
MAX_DIFF_BYTES = 1024 * 1024
GIT_TIMEOUT = 5.0

_packages_lock = threading.Lock()
_packages_cache: dict[str, str] | None = None


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def packages(refresh: bool = False) -> dict[str, str]:
    """Installed distributions as {name: version}, first on sys.path wins, cached."""
    global _packages_cache
    with _packages_lock:
        if _packages_cache is not None and not refresh:
            return dict(_packages_cache)
        from importlib import metadata

        found: dict[str, str] = {}
        seen: set[str] = set()
        try:
            dists = list(metadata.distributions())
        except Exception:  # boundary: a broken site-packages must not stop the run; no package list then
            dists = []
        for dist in dists:
            try:
                name = dist.metadata["Name"]
                version = dist.version
            except Exception:  # one distribution with broken metadata is skipped
                continue
            if not name:
                continue
            key = _normalise(str(name))
            if key in seen:
                continue  # shadowed copy further down sys.path
            seen.add(key)
            found[str(name)] = str(version)
        _packages_cache = dict(sorted(found.items(), key=lambda kv: kv[0].lower()))
        return dict(_packages_cache)


def _memory_total() -> int | None:
    try:
        return int(psutil.virtual_memory().total)
    except (OSError, psutil.Error):  # e.g. no /proc in a sandbox: ask sysconf below
        pass
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return None


_git_lock = threading.Lock()
_git_cache: dict[tuple[str, Any], dict[str, Any] | None] = {}


def _git_once(cwd: str, reuse_key: Any) -> dict[str, Any] | None:
    """``git_info(cwd)``, asked once per ``reuse_key`` (a notebook cell's execution)."""
    if reuse_key is None:
        return git_info(cwd)
    key = (cwd, reuse_key)
    with _git_lock:
        if key not in _git_cache:
            _git_cache.clear()
            _git_cache[key] = git_info(cwd)
        found = _git_cache[key]
    return json.loads(json.dumps(found)) if found is not None else None


def environment(cwd: str | None = None, reuse_key: Any = None) -> dict[str, Any]:
    """A JSON-able description of this process's environment.

    Keys: python {version, implementation, executable}, platform, os, hostname,
    cpu_count, memory_total (bytes), cwd, argv, git (``git_info(cwd)``), packages.
    Runs started with the same ``reuse_key`` (the runs of one sweep loop in one cell)
    share one look at git: its state cannot change while the cell runs.
    """
    cwd = os.path.abspath(cwd) if cwd else os.getcwd()
    return {
        "python": {
            "version": platform.python_version(),
            "implementation": platform.python_implementation(),
            "executable": sys.executable,
        },
        "platform": platform.platform(),
        "os": f"{platform.system()} {platform.release()}".strip(),
        "hostname": socket.gethostname(),
        "cpu_count": os.cpu_count(),
        "memory_total": _memory_total(),
        "cwd": cwd,
        "argv": [redact_text(a) for a in sys.argv],  # no password of a --store URL
        "git": _git_once(cwd, reuse_key),
        "packages": packages(),
    }


_GIT_ENV = {
    "GIT_TERMINAL_PROMPT": "0",  # never ask for credentials
    "GIT_OPTIONAL_LOCKS": "0",  # `git status` must not take the index lock
    "LC_ALL": "C",
}


def _git(path: str, *args: str) -> str | None:
    try:
        proc = subprocess.run(
            ["git", *args],
            cwd=path,
            capture_output=True,
            timeout=GIT_TIMEOUT,
            env={**os.environ, **_GIT_ENV},
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    if proc.returncode != 0:
        return None
    return proc.stdout.decode("utf-8", errors="replace").strip()


def _git_diff(path: str) -> str | None:
    """``git diff HEAD`` read up to MAX_DIFF_BYTES (+ a note when cut)."""
    try:
        proc = subprocess.Popen(
            ["git", "diff", "HEAD", "--no-color", "--no-ext-diff"],
            cwd=path,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **_GIT_ENV},
        )
    except (OSError, ValueError):
        return None
    timer = threading.Timer(GIT_TIMEOUT, proc.kill)
    timer.start()
    try:
        assert proc.stdout is not None
        data = proc.stdout.read(MAX_DIFF_BYTES + 1)
        cut = len(data) > MAX_DIFF_BYTES
        if cut:
            proc.kill()
        proc.wait()
    finally:
        timer.cancel()
        if proc.stdout is not None:
            proc.stdout.close()
    if not cut and proc.returncode != 0:
        return None
    text = data[:MAX_DIFF_BYTES].decode("utf-8", errors="replace")
    if cut:
        text += f"\n[nbtrack: diff cut at {MAX_DIFF_BYTES} bytes]\n"
    return text


def strip_credentials(url: str) -> str:
    """Remove user:password@ from a URL (scp-style ``git@host:repo`` is kept)."""
    return re.sub(r"^([a-zA-Z][a-zA-Z0-9+.\-]*://)[^/@]*@", r"\1", url)


def git_info(path: str | os.PathLike[str] | None = None) -> dict[str, Any] | None:
    """The git state of the repository holding ``path`` (default cwd), else None.

    Keys: root, commit (None before the first commit), branch (None when detached),
    remote (origin, else the first remote; credentials stripped), dirty (tracked
    files changed), diff (text of ``git diff HEAD``, cut at 1 MB with a note).
    """
    try:
        path = os.path.abspath(os.fspath(path)) if path is not None else os.getcwd()
        if not os.path.isdir(path):
            path = os.path.dirname(path)
        root = _git(path, "rev-parse", "--show-toplevel")
        if not root:
            return None
        commit = _git(path, "rev-parse", "--verify", "-q", "HEAD")
        branch = _git(path, "symbolic-ref", "-q", "--short", "HEAD")
        remote = _git(path, "remote", "get-url", "origin")
        if remote is None:
            names = (_git(path, "remote") or "").split()
            remote = _git(path, "remote", "get-url", names[0]) if names else None
        status = _git(path, "status", "--porcelain", "--untracked-files=no")
        diff = _git_diff(path) if commit else None
        return {
            "root": root,
            "commit": commit or None,
            "branch": branch or None,
            "remote": strip_credentials(remote) if remote else None,
            "dirty": bool(status),
            "diff": diff,
        }
    except Exception:  # boundary: git state is a nicety; any failure means no git info
        return None
