"""One JupyterLab server and one headless Chromium for the whole browser session.

Recipe from shared/FIELD_NOTES.md: private JUPYTER_* dirs, the notification settings file
that stops the news pop-up, a token, a free port, the venv's bin first on PATH (the
kernel spec runs `python`), Debian's /usr/bin/chromium through Playwright's
executable_path (never `playwright install`).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
VENV_BIN = Path(sys.executable).parent
OUT = ROOT / "test-output"
CHROME_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--disable-dev-shm-usage"]
TOKEN = "nbtrack-browser-test"


def pytest_collection_modifyitems(config, items):
    if os.path.exists(CHROMIUM):
        return
    if os.environ.get("CI"):
        return  # in CI the tests must run (and fail loudly without a browser)
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing (apt-get install -y chromium); CI is not set")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    def __init__(self, base: str, root: Path):
        self.base = base
        self.root = root
        self.token = TOKEN

    def url(self, path: str) -> str:
        sep = "&" if "?" in path else "?"
        return f"{self.base}{path}{sep}token={self.token}"


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lab")
    root = tmp / "root"
    root.mkdir()
    env = dict(os.environ)
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR", "JUPYTERLAB_SETTINGS_DIR",
                 "JUPYTERLAB_WORKSPACES_DIR"):
        d = tmp / name.lower()
        d.mkdir()
        env[name] = str(d)
    notif = Path(env["JUPYTERLAB_SETTINGS_DIR"]) / "@jupyterlab" / "apputils-extension"
    notif.mkdir(parents=True)
    (notif / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    # save widget state with the notebook, as a user who wants saved curves sets it
    wm = Path(env["JUPYTERLAB_SETTINGS_DIR"]) / "@jupyter-widgets" / "jupyterlab-manager"
    wm.mkdir(parents=True)
    (wm / "plugin.jupyterlab-settings").write_text(json.dumps({"saveState": True}))
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = f"{ROOT}{os.pathsep}{env.get('PYTHONPATH', '')}"
    env["NBTRACK_DIR"] = str(root / "nbtrack")
    env.pop("NBTRACK_LIVE", None)
    port = _free_port()
    log = open(tmp / "server.log", "w")
    proc = subprocess.Popen(
        [str(VENV_BIN / "jupyter"), "lab", "--no-browser", "--ip", "127.0.0.1", "--port", str(port),
         "--port-retries=0", f"--IdentityProvider.token={TOKEN}", "--allow-root", f"--ServerApp.root_dir={root}",
         "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         "--LabApp.extension_manager=readonly", "--LabApp.expose_app_in_browser=True",
         "--JupyterNotebookApp.expose_app_in_browser=True"],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=root)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=2) as r:
                if r.status == 200:
                    break
        except Exception:
            pass
        if proc.poll() is not None or time.time() > deadline:
            log.close()
            pytest.fail("jupyter lab did not start:\n" + (tmp / "server.log").read_text()[-3000:])
        time.sleep(0.3)
    yield Lab(base, root)
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 1000})
    pg = ctx.new_page()
    pg.dialogs = []  # type: ignore[attr-defined]
    pg.errors = []  # type: ignore[attr-defined]

    def on_dialog(d):
        pg.dialogs.append(d.message)  # type: ignore[attr-defined]
        d.dismiss()

    pg.on("dialog", on_dialog)
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))  # type: ignore[attr-defined]
    yield pg
    ctx.close()


@pytest.fixture(scope="session")
def out_dir():
    OUT.mkdir(exist_ok=True)
    return OUT


def copy_notebook(src: Path, lab: Lab, name: str) -> str:
    dst = lab.root / name
    shutil.copy(src, dst)
    return name
