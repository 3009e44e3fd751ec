"""find_notebook and history_notebook inside real kernels.

1. A real ``jupyter server`` (127.0.0.1, random port, token, private config/runtime dirs)
   with a notebook session: code run in that session's kernel finds the notebook by
   JPY_SESSION_NAME and, with that variable removed, through /api/sessions.
2. A notebook executed by nbclient (no server): find_notebook returns None, quickly,
   while history_notebook captures the cells that ran.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

ROOT = str(Path(__file__).resolve().parents[2])
VENV_BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _request(url: str, method: str = "GET", body: dict | None = None) -> object:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(req, timeout=10) as r:
        raw = r.read()
    return json.loads(raw) if raw else None


KERNEL_CODE = r"""
import json, os, time
from nbtrack.capture.notebook import find_notebook
t = time.perf_counter()
a = find_notebook(timeout=3)
ta = time.perf_counter() - t
os.environ.pop("JPY_SESSION_NAME", None)
t = time.perf_counter()
b = find_notebook(timeout=3)
tb = time.perf_counter() - t
def d(s):
    return None if s is None else [s.name, s.path, s.found_by, len(s.content or b"")]
print("RESULT" + json.dumps({"a": d(a), "b": d(b), "ta": ta, "tb": tb}))
"""


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_real_jupyter_server_session(tmp_path, tiny_notebook):
    jupyter_client = pytest.importorskip("jupyter_client")
    root = tmp_path / "root"
    nb_path = root / "exp" / "train.ipynb"
    nb_path.parent.mkdir(parents=True)
    nb_path.write_bytes(tiny_notebook("x = 1"))
    dirs = {k: tmp_path / k.lower() for k in ("JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR", "JUPYTER_DATA_DIR", "IPYTHONDIR")}
    for p in dirs.values():
        p.mkdir()
    env = {**os.environ, **{k: str(v) for k, v in dirs.items()}}
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    for var in ("NBTRACK_NOTEBOOK", "WANDB_NOTEBOOK_NAME", "JPY_SESSION_NAME"):
        env.pop(var, None)
    port, token = _free_port(), "nbtrack-test-token"
    with open(tmp_path / "server.log", "wb") as server_log:  # the server keeps its own copy of the fd
        server = subprocess.Popen(
            [str(VENV_BIN / "jupyter-server"), "--no-browser", "--allow-root",
             "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
             f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}"],
            env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=server_log,
        )
    base = f"http://127.0.0.1:{port}"
    client = None
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _request(f"{base}/api/status?token={token}")
                break
            except Exception:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("jupyter server did not start:\n" + (tmp_path / "server.log").read_text()[-3000:])
                time.sleep(0.3)
        session = _request(f"{base}/api/sessions?token={token}", "POST",
                           {"path": "exp/train.ipynb", "name": "train.ipynb", "type": "notebook",
                            "kernel": {"name": "python3"}})
        kid = session["kernel"]["id"]
        conn = dirs["JUPYTER_RUNTIME_DIR"] / f"kernel-{kid}.json"
        deadline = time.monotonic() + 30
        while not conn.exists():
            assert time.monotonic() < deadline, "no connection file"
            time.sleep(0.2)
        client = jupyter_client.BlockingKernelClient()
        client.load_connection_file(str(conn))
        client.start_channels()
        client.wait_for_ready(timeout=60)
        out: list[str] = []

        def hook(msg):
            if msg["msg_type"] == "stream":
                out.append(msg["content"]["text"])
            elif msg["msg_type"] == "error":
                out.append("\n".join(msg["content"]["traceback"]))

        reply = client.execute_interactive(KERNEL_CODE, timeout=60, output_hook=hook)
        text = "".join(out)
        assert reply["content"]["status"] == "ok", text
        result = json.loads(text.split("RESULT", 1)[1])
        size = nb_path.stat().st_size
        assert result["a"] == ["train.ipynb", str(nb_path), "env:JPY_SESSION_NAME", size]
        assert result["b"] == ["train.ipynb", str(nb_path), "jupyter-server", size]
        print(f"find_notebook in a real kernel: env {result['ta'] * 1000:.1f} ms, "
              f"/api/sessions {result['tb'] * 1000:.1f} ms")
    finally:
        if client is not None:
            client.stop_channels()
        try:
            for s in _request(f"{base}/api/sessions?token={token}") or []:
                _request(f"{base}/api/sessions/{s['id']}?token={token}", "DELETE")
        except (OSError, ValueError):  # the server is gone already: terminate() below has nothing to wait for
            pass
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.mark.timeout(180)
def test_nbclient_kernel_without_server(tmp_path):
    nbclient = pytest.importorskip("nbclient")
    cells = [
        f"import sys; sys.path.insert(0, {ROOT!r})",
        "x = 20",
        "x * 2 + 2",
        "import time, json\n"
        "from nbtrack.capture.notebook import find_notebook, history_notebook_bytes\n"
        "src = find_notebook(timeout=1.0)\n"
        "hist = json.loads(history_notebook_bytes())\n"
        "print('RESULT' + json.dumps({'src': repr(src),\n"
        "      'cells': [[c['execution_count'], c['source'], [o['data']['text/plain'] for o in c['outputs']]]\n"
        "                for c in hist['cells']]}))",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in cells])
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    result = json.loads(text.split("RESULT", 1)[1])
    assert result["src"] == "None"
    sources = [c[1] for c in result["cells"]]
    assert sources == [s.rstrip("\n") for s in cells]
    assert result["cells"][2][2] == ["42"]
    assert [c[0] for c in result["cells"]] == [1, 2, 3, 4]
