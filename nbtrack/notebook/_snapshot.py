"""What a run keeps of where it came from: the notebook or script, the cells executed,
and the environment (python, platform, git, packages).

At init the executed cells are read on the calling thread (IPython's history is not
thread-safe and is quick to read); finding the notebook file (which may ask the Jupyter
server over HTTP) and reading the environment run on a background thread so init
returns at once. At finish the executed cells are stored again.
"""

from __future__ import annotations

import sys
import threading
import warnings
from typing import TYPE_CHECKING, Any

from ..kept_files import GIT_DIFF, HISTORY_NOTEBOOK
from ..store.postgres.url import redact_text
from ._hooks import shell as _shell

if TYPE_CHECKING:
    from ..tracking.run import Run



def _store_history(run: Run, shell: Any) -> None:
    # history_notebook_bytes builds the .ipynb without importing nbformat (seconds, cold)
    from ..capture.notebook import history_notebook_bytes

    if run.store_writer is not None:
        run.store_writer.add_file(HISTORY_NOTEBOOK, "code", data=without_credentials(history_notebook_bytes(shell)))


def capture_at_init(run: Run) -> threading.Thread | None:
    """Store the executed cells now and start the background capture of the rest."""
    if run.store_writer is None:
        return None
    shell = _shell()
    early_source = None
    if shell is not None:
        _guard(_store_history, run, shell)
        if "google.colab" in sys.modules:  # Colab's notebook request must run on the main thread
            early_source = _guard(_find_notebook, shell)
    thread = threading.Thread(
        target=_guard, args=(_capture_in_background, run, shell, early_source), name="nbtrack-capture", daemon=True
    )
    thread.start()
    _captures[:] = [t for t in _captures if t.is_alive()]
    _captures.append(thread)
    return thread


_captures: list[threading.Thread] = []


def wait_for_captures(timeout: float = 5.0) -> None:
    """At exit: let background captures hand their files to the writers (bounded)."""
    import time

    deadline = time.monotonic() + timeout
    for thread in list(_captures):
        thread.join(max(0.0, deadline - time.monotonic()))
    _captures[:] = [t for t in _captures if t.is_alive()]


def _find_notebook(shell: Any) -> Any:
    from ..capture.notebook import find_notebook

    return find_notebook(shell)


def _capture_in_background(run: Run, shell: Any, source: Any) -> None:
    from ..capture.environment import environment
    from ..capture.notebook import find_notebook, script_source

    writer = run.store_writer
    if writer is None:  # a run that keeps nothing (capture_at_init starts no thread for it)
        return
    # runs started in one cell (a sweep loop) share one look at git; a script's code is fixed
    reuse = getattr(shell, "execution_count", None) if shell is not None else "script"
    env: dict[str, Any] = environment(reuse_key=reuse)
    git = env.get("git") or {}
    diff = git.pop("diff", None) if isinstance(git, dict) else None
    if diff:
        writer.add_file(GIT_DIFF, "code", data=without_credentials(diff.encode("utf-8")))
    writer.update_run({"environment": env})  # now, in case finding the notebook is slow
    if source is None:
        source = find_notebook(shell) if shell is not None else script_source()
    if source is not None and source.content:
        writer.add_file(f"code/{source.name}", "code", data=without_credentials(source.content))
        env["code"] = {"name": source.name, "path": source.path, "found_by": source.found_by}
    else:
        env["code"] = {"name": None, "path": None, "found_by": None}
    writer.update_run({"environment": env})


def without_credentials(code: bytes) -> bytes:
    """Code as kept with a run: a password in a PostgreSQL URL (``init(store=...)``,
    ``%nbtrack init --store``) is replaced by ``***``, so it never reaches a store."""
    if b"postgres" not in code.lower():
        return code
    return redact_text(code.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape")


def capture_at_finish(run: Run) -> None:
    """Store the cells executed by the end of the run (they may differ from the file)."""
    shell = _shell()
    if shell is not None:
        _guard(_store_history, run, shell)


def _guard(fn: Any, *args: Any) -> Any:
    """Capturing code must never break the run: trouble becomes one warning."""
    try:
        return fn(*args)
    except Exception as exc:  # best effort by design
        warnings.warn(f"nbtrack could not capture the run's code or environment: {exc!r}", stacklevel=2)
        return None
