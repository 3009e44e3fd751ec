"""Start JupyterLab for headless-browser tests and benchmarks (plain code, no pytest).

Recipe from shared/FIELD_NOTES.md: private JUPYTER_* dirs, the notification settings file
that stops the news pop-up, a token, a free port, the venv's bin first on PATH (the
kernel spec runs `python`), Debian's /usr/bin/chromium through Playwright's
executable_path (never `playwright install`).
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
VENV_BIN = Path(sys.executable).parent
OUT = ROOT / "test-output"
CHROME_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--disable-dev-shm-usage"]
TOKEN = "nbtrack-browser-test"
#: the open notebook's kernel status (needs expose_app_in_browser)
KERNEL_STATUS = ("() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
                 " const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;"
                 " return k ? k.status : null; }")


class Lab:
    """A running JupyterLab (which also serves Notebook 7 at /notebooks/<path>)."""

    def __init__(self, base: str, root: Path):
        self.base = base
        self.root = root
        self.token = TOKEN

    def url(self, path: str) -> str:
        sep = "&" if "?" in path else "?"
        return f"{self.base}{path}{sep}token={self.token}"

    def open(self, page: Any, path: str) -> None:
        """Open `path` (e.g. /lab/tree/x.ipynb?reset or /notebooks/x.ipynb); wait for its kernel."""
        page.goto(self.url("/tree"))  # the cookie Notebook 7 needs
        page.goto(self.url(path))
        page.wait_for_function(f"({KERNEL_STATUS})() === 'idle'", timeout=60_000)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _environment(tmp: Path, root: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR", "JUPYTERLAB_SETTINGS_DIR",
                 "JUPYTERLAB_WORKSPACES_DIR"):
        d = tmp / name.lower()
        d.mkdir()
        env[name] = str(d)
    settings = Path(env["JUPYTERLAB_SETTINGS_DIR"])
    notif = settings / "@jupyterlab" / "apputils-extension"
    notif.mkdir(parents=True)
    (notif / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    # save widget state with the notebook, as a user who wants saved curves sets it
    manager = settings / "@jupyter-widgets" / "jupyterlab-manager"
    manager.mkdir(parents=True)
    (manager / "plugin.jupyterlab-settings").write_text(json.dumps({"saveState": True}))
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = f"{ROOT}{os.pathsep}{env.get('PYTHONPATH', '')}"
    env["NBTRACK_DIR"] = str(root / "nbtrack")
    env.pop("NBTRACK_LIVE", None)
    env.update(extra or {})
    return env


@contextmanager
def running_lab(tmp: Path, base_url: str = "/", extra_args: tuple[str, ...] = (),
                env: dict[str, str] | None = None) -> Iterator[Lab]:
    """JupyterLab on a free loopback port with its files under `tmp/root`; stopped on exit.

    `base_url` as JupyterHub sets it ("/user/alice/"); `extra_args` go to the server; `env`
    adds variables to the server's (and so its kernels') environment."""
    root = tmp / "root"
    root.mkdir()
    port = _free_port()
    log_path = tmp / "server.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [str(VENV_BIN / "jupyter"), "lab", "--no-browser", "--ip", "127.0.0.1", "--port", str(port),
             "--port-retries=0", f"--IdentityProvider.token={TOKEN}", "--allow-root", f"--ServerApp.root_dir={root}",
             "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
             "--LabApp.extension_manager=readonly", "--LabApp.expose_app_in_browser=True",
             "--JupyterNotebookApp.expose_app_in_browser=True", f"--ServerApp.base_url={base_url}", *extra_args],
            env=_environment(tmp, root, env), stdout=log, stderr=subprocess.STDOUT, cwd=root)
        try:
            base = f"http://127.0.0.1:{port}{base_url.rstrip('/')}"
            _wait_ready(base, proc, log_path)
            yield Lab(base, root)
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


def _wait_ready(base: str, proc: subprocess.Popen, log_path: Path, timeout: float = 60.0) -> None:
    deadline = time.time() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=2) as r:
                if r.status == 200:
                    return
        except (OSError, http.client.HTTPException):  # not up yet: refused, reset or a half answer
            pass
        if proc.poll() is not None or time.time() > deadline:
            raise RuntimeError("jupyter lab did not start:\n" + log_path.read_text()[-3000:])
        time.sleep(0.3)
