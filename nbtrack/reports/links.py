"""The link to a report on the Jupyter server this kernel runs under.

nbtrack's server extension, when it loads, puts the server's URL and root directory into
the server's environment (``NBTRACK_SERVER_URL``, ``NBTRACK_SERVER_ROOT``); every
kernel the server starts inherits them. So a kernel knows, without asking anything over
the network and whatever the server's authentication (token, password, JupyterHub),
that its server serves ``nbtrack/`` pages, and where. A store outside the server's root
has no page there.
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Sequence
from pathlib import Path

URL_ENV = "NBTRACK_SERVER_URL"
ROOT_ENV = "NBTRACK_SERVER_ROOT"


def report_path(rel: str, project: str | None, runs: Sequence[str] | None, metrics: Sequence[str] | None,
                title: str | None) -> str:
    """``nbtrack/report?...`` for these arguments (relative to the server's base URL)."""
    params = {"store": rel}
    if project:
        params["project"] = project
    if runs:
        params["runs"] = ",".join(runs)
    if metrics:
        params["metrics"] = ",".join(metrics)
    if title:
        params["title"] = title
    return "nbtrack/report?" + urllib.parse.urlencode(params)


def server_link(store_dir: str | os.PathLike[str], project: str | None, runs: Sequence[str] | None,
                metrics: Sequence[str] | None, title: str | None) -> str | None:
    """The report's URL on this kernel's server (no token in it), else None."""
    url, root = os.environ.get(URL_ENV), os.environ.get(ROOT_ENV)
    if not url or not root:
        return None
    base = Path(os.path.expanduser(root)).resolve()
    store = Path(store_dir).resolve()
    if store != base and base not in store.parents:
        return None
    rel = store.relative_to(base).as_posix() or "."
    return (url if url.endswith("/") else url + "/") + report_path(rel, project, runs, metrics, title)
