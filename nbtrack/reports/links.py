"""The link to a report on the Jupyter server this kernel runs under, if it has nbtrack's
server extension loaded and the store lies under its root directory.

Uses the server list of ``capture/servers.py`` (the ``jpserver-*.json`` files, no
jupyter_server import) and asks the server for ``nbtrack/api/status`` with its token
(short timeout, any failure means "no link").
"""

from __future__ import annotations

import os
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Sequence

from ..capture import servers

TIMEOUT = 1.0


def _has_extension(info: dict[str, Any]) -> bool:
    url = str(info.get("url", ""))
    if not url.endswith("/"):
        url += "/"
    query = "?" + urllib.parse.urlencode({"token": info["token"]}) if info.get("token") else ""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url + "nbtrack/api/status" + query, timeout=TIMEOUT) as response:  # noqa: S310
            return response.status == 200
    except Exception:  # noqa: BLE001 - refused, 404 without the extension, password-protected
        return False


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
    """The report's URL on this kernel's server (without the token), else None."""
    kid = servers.kernel_id()
    if kid is None:
        return None
    store = Path(store_dir).resolve()
    for info in servers.running_servers():
        root = str(info.get("root_dir") or info.get("notebook_dir") or "")
        if not root:
            continue
        base = Path(os.path.expanduser(root)).resolve()
        if store != base and base not in store.parents:
            continue
        if servers.session_path(kid, [info], timeout=TIMEOUT) is None or not _has_extension(info):
            continue
        url = str(info.get("url", ""))
        return (url if url.endswith("/") else url + "/") + report_path(
            store.relative_to(base).as_posix() or ".", project, runs, metrics, title)
    return None
