"""Ask the running Jupyter servers which notebook this kernel belongs to.

Every jupyter-server writes a ``jpserver-<pid>.json`` file into the runtime directory;
``jupyter_server.serverapp.list_running_servers()`` reads them back (url, token,
root_dir, password); ``running_servers`` here reads the same files without importing
jupyter_server (a two-second import). The server's ``/api/sessions`` lists each session's path together
with its kernel id; this kernel's id is in the name of its connection file
(``kernel-<id>.json``). Only the standard library talks HTTP here (``urllib``), with a
short timeout per server, and every failure (password-protected server, refused
connection, odd JSON) just means "not found".
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

from ..store.liveness import process_alive

_KERNEL_ID = re.compile(r"kernel-(?P<id>[A-Za-z0-9_.\-]+)\.json$")


def kernel_id() -> str | None:
    """The id of the kernel this process runs as, from its connection file; else None."""
    ipykernel = sys.modules.get("ipykernel")
    if ipykernel is None:
        return None  # not a kernel (and importing ipykernel costs ~150 ms)
    try:
        conn = ipykernel.get_connection_file()
    except Exception:  # boundary: ipykernel outside a running kernel app raises various errors
        return None
    match = _KERNEL_ID.search(os.path.basename(str(conn or "")))
    return match.group("id") if match else None


def runtime_dir() -> str:
    """Jupyter's runtime directory (where servers and kernels write their json files)."""
    try:
        from jupyter_core.paths import jupyter_runtime_dir  # light

        return str(jupyter_runtime_dir())
    except Exception:  # boundary: a broken jupyter_core install; fall back to the environment
        env = os.environ.get("JUPYTER_RUNTIME_DIR")
        if env:
            return env
        data = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
        return os.path.join(data, "jupyter", "runtime")


def _pid_alive(pid: Any) -> bool:
    """True if a server file's ``pid`` (any JSON value) names a live process on this host."""
    try:
        pid = int(pid)
    except (TypeError, ValueError, OverflowError):
        return False
    return pid > 0 and process_alive(pid)


def running_servers(directory: str | None = None) -> list[dict[str, Any]]:
    """The live servers listed in the runtime directory: jupyter-server's
    ``jpserver-*.json`` and the classic notebook's ``nbserver-*.json``.

    Same result as ``jupyter_server.serverapp.list_running_servers()`` (url, token,
    root_dir, password, pid, ...) without importing it, which takes seconds, and
    without deleting stale files (they are not ours).
    """
    directory = directory or runtime_dir()
    found: list[dict[str, Any]] = []
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return found
    seen: set[str] = set()
    for name in names:
        if not re.match(r"(jp|nb)server-.+\.json$", name):
            continue
        try:
            with open(os.path.join(directory, name), encoding="utf-8") as fh:
                info = json.load(fh)
        except (OSError, ValueError):
            continue  # being written, or not ours to read
        if not isinstance(info, dict) or not _pid_alive(info.get("pid")):
            continue
        url = str(info.get("url", ""))
        if url and url not in seen:
            seen.add(url)
            found.append(info)
    return found


def _server_root(info: dict[str, Any]) -> str:
    return str(info.get("root_dir") or info.get("notebook_dir") or "")


def _get_sessions(info: dict[str, Any], timeout: float) -> list[dict[str, Any]]:
    url = str(info.get("url", ""))
    if not url:
        return []
    if not url.endswith("/"):
        url += "/"
    query = ""
    token = info.get("token")
    if token:
        query = "?" + urllib.parse.urlencode({"token": token})
    request = urllib.request.Request(
        urllib.parse.urljoin(url, "api/sessions") + query,
        headers={"Accept": "application/json"},
    )
    # Never go through a proxy for a local server.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=timeout) as response:  # http only
        body = response.read(4 * 1024 * 1024)
    data = json.loads(body.decode("utf-8"))
    return data if isinstance(data, list) else []


def session_path(
    kid: str,
    servers: list[dict[str, Any]] | None = None,
    timeout: float = 1.0,
    deadline: float | None = None,
) -> tuple[str, str | None] | None:
    """Find the session of kernel ``kid``: (notebook path as the server gives it,
    absolute path resolved against the server's root_dir or None), else None."""
    if servers is None:
        servers = running_servers()
    for info in servers:
        remaining = timeout if deadline is None else min(timeout, deadline - time.monotonic())
        if remaining <= 0.01:
            return None
        try:
            sessions = _get_sessions(info, remaining)
        except Exception:
            continue  # refused, password-protected (403), timed out, not JSON
        for sess in sessions:
            if not isinstance(sess, dict):
                continue
            kernel = sess.get("kernel") or {}
            if not isinstance(kernel, dict) or kernel.get("id") != kid:
                continue
            nb = sess.get("notebook") if isinstance(sess.get("notebook"), dict) else {}
            rel = sess.get("path") or (nb or {}).get("path")
            if not rel:
                continue
            rel = str(rel)
            root = _server_root(info)
            absolute = None
            if os.path.isabs(rel):
                absolute = rel
            elif root:
                absolute = os.path.join(os.path.expanduser(root), rel)
            return rel, absolute
    return None


def iter_hosted() -> Iterator[tuple[str, str, bytes]]:
    """Yield (found_by, name, ipynb bytes) from Colab or Kaggle when their modules exist."""
    colab = _colab()
    if colab is not None:
        yield colab
    kaggle = _kaggle()
    if kaggle is not None:
        yield kaggle


def _importable(name: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(name) is not None
    except Exception:  # find_spec imports the parent package, which may raise anything
        return False


def _colab() -> tuple[str, str, bytes] | None:
    import threading

    # The Colab message channel is not thread-safe: only ask from the main thread.
    if threading.current_thread() is not threading.main_thread():
        return None
    if not _importable("google.colab"):
        return None
    try:
        from google.colab import _message

        reply = _message.blocking_request("get_ipynb", timeout_sec=5)
        nb = reply.get("ipynb") if isinstance(reply, dict) else None
        if not isinstance(nb, dict):
            return None
        name = ((nb.get("metadata") or {}).get("colab") or {}).get("name") or "colab.ipynb"
        return "colab", str(name), json.dumps(nb).encode("utf-8")
    except Exception:  # boundary: Colab's private API changes without notice; not found then
        return None


def _kaggle() -> tuple[str, str, bytes] | None:
    if not _importable("kaggle_session"):
        return None
    try:
        import kaggle_session

        exported = kaggle_session.UserSessionClient().get_exportable_ipynb()
        source = exported.get("source") if isinstance(exported, dict) else exported
        if isinstance(source, dict):
            source = json.dumps(source)
        if not isinstance(source, str | bytes):
            return None
        raw = source.encode("utf-8") if isinstance(source, str) else source
        json.loads(raw)  # must be a notebook document
        return "kaggle", "kaggle.ipynb", raw
    except Exception:  # boundary: Kaggle's private API changes without notice; not found then
        return None
