from __future__ import annotations

import http.server
import importlib.machinery
import json
import os
import socket
import subprocess
import sys
import threading
import types
from pathlib import Path
from types import SimpleNamespace

import pytest

from nbtrack.capture import notebook, servers
from nbtrack.capture.notebook import CodeSource, find_notebook, script_source


@pytest.fixture(autouse=True)
def _no_real_servers(monkeypatch):
    """Unless a test says otherwise: no kernel, no running servers, no hosted notebook."""
    monkeypatch.setattr(servers, "kernel_id", lambda: None)
    monkeypatch.setattr(servers, "running_servers", lambda: [])


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_nothing_found_is_none():
    assert find_notebook() is None


def test_env_override(tmp_path, monkeypatch, tiny_notebook):
    a = _write(tmp_path / "a.ipynb", tiny_notebook("a"))
    b = _write(tmp_path / "b.ipynb", tiny_notebook("b"))
    monkeypatch.setenv("WANDB_NOTEBOOK_NAME", str(b))
    src = find_notebook()
    assert src == CodeSource("b.ipynb", str(b), b.read_bytes(), "env:WANDB_NOTEBOOK_NAME")
    monkeypatch.setenv("NBTRACK_NOTEBOOK", str(a))
    monkeypatch.setenv("JPY_SESSION_NAME", str(b))
    src = find_notebook()
    assert (src.name, src.found_by, src.content) == ("a.ipynb", "env:NBTRACK_NOTEBOOK", a.read_bytes())


def test_env_override_relative_and_missing(tmp_path, monkeypatch, tiny_notebook):
    _write(tmp_path / "rel.ipynb", tiny_notebook("r"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WANDB_NOTEBOOK_NAME", "rel.ipynb")
    assert find_notebook().path == str(tmp_path / "rel.ipynb")
    monkeypatch.setenv("WANDB_NOTEBOOK_NAME", "gone.ipynb")
    src = find_notebook()  # an override is final, even when it cannot be read
    assert (src.name, src.path, src.content) == ("gone.ipynb", None, None)


def test_jpy_session_absolute(tmp_path, monkeypatch, tiny_notebook):
    nb = _write(tmp_path / "deep" / "train.ipynb", tiny_notebook("x"))
    monkeypatch.setenv("JPY_SESSION_NAME", str(nb))
    src = find_notebook()
    assert (src.name, src.path, src.found_by) == ("train.ipynb", str(nb), "env:JPY_SESSION_NAME")
    assert src.content == nb.read_bytes()


def test_jpy_session_relative_to_cwd(tmp_path, monkeypatch, tiny_notebook):
    nb = _write(tmp_path / "sub" / "train.ipynb", tiny_notebook("x"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JPY_SESSION_NAME", "sub/train.ipynb")
    assert find_notebook().path == str(nb)
    # kernel cwd is the notebook's folder, the name is relative to the server root
    monkeypatch.chdir(tmp_path / "sub")
    assert find_notebook().path == str(nb)


def test_jpy_session_relative_to_server_root(tmp_path, monkeypatch, tiny_notebook):
    root = tmp_path / "root"
    nb = _write(root / "a" / "b" / "exp.ipynb", tiny_notebook("x"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JPY_SESSION_NAME", "a/b/exp.ipynb")
    monkeypatch.setattr(servers, "running_servers", lambda: [{"url": "http://127.0.0.1:1/", "root_dir": str(root)}])
    assert find_notebook().path == str(nb)


def test_jpy_session_missing_file_is_fallback(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JPY_SESSION_NAME", "renamed/Untitled.ipynb")
    assert find_notebook() == CodeSource("Untitled.ipynb", None, None, "env:JPY_SESSION_NAME")


def test_vscode_variable(tmp_path, tiny_notebook, monkeypatch):
    nb = _write(tmp_path / "vs.ipynb", tiny_notebook("v"))
    shell = SimpleNamespace(user_ns={"__vsc_ipynb_file__": str(nb)})
    src = find_notebook(shell)
    assert (src.name, src.path, src.found_by) == ("vs.ipynb", str(nb), "vscode")
    # a readable VS Code file beats an unreadable JPY_SESSION_NAME
    monkeypatch.setenv("JPY_SESSION_NAME", "/nope/x.ipynb")
    assert find_notebook(shell).found_by == "vscode"


# -- /api/sessions ----------------------------------------------------------------------


class _Sessions(http.server.BaseHTTPRequestHandler):
    sessions: list = []
    token = "tok123"
    mode = "ok"  # "ok" | "forbidden" | "hang"
    release = threading.Event()  # ends a "hang"
    seen: list = []

    def do_GET(self):
        try:
            self._get()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (the timeout test)

    def _get(self):
        type(self).seen.append(self.path)
        if self.mode == "hang":
            type(self).release.wait(30)  # answers only when the test lets it
        if self.mode == "forbidden" or f"token={self.token}" not in self.path:
            self.send_response(403)
            self.end_headers()
            self.wfile.write(b'{"message": "Forbidden"}')
            return
        if not self.path.startswith("/api/sessions"):
            self.send_response(404)
            self.end_headers()
            return
        body = json.dumps(self.sessions).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture
def fake_server(tmp_path, monkeypatch, tiny_notebook):
    root = tmp_path / "root"
    nb = _write(root / "exp" / "train.ipynb", tiny_notebook("print(1)"))
    _Sessions.sessions = [
        {"id": "s1", "path": "other.ipynb", "type": "notebook", "kernel": {"id": "k-other"}},
        {"id": "s2", "path": "exp/train.ipynb", "name": "train.ipynb", "type": "notebook",
         "kernel": {"id": "0a1b2c3d-kern", "name": "python3"}},
    ]
    _Sessions.mode, _Sessions.seen = "ok", []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Sessions)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    info = {"url": f"http://127.0.0.1:{httpd.server_address[1]}/", "token": _Sessions.token,
            "root_dir": str(root), "password": False}
    monkeypatch.setattr(servers, "running_servers", lambda: [info])
    # this "kernel" is 0a1b2c3d-kern: exercise the real kernel_id() parsing
    fake_ipykernel = types.ModuleType("ipykernel")
    fake_ipykernel.get_connection_file = lambda: "/run/jupyter/kernel-0a1b2c3d-kern.json"
    monkeypatch.setitem(sys.modules, "ipykernel", fake_ipykernel)
    monkeypatch.setattr(servers, "kernel_id", _real_kernel_id)
    yield SimpleNamespace(info=info, nb=nb, root=root)
    httpd.shutdown()
    httpd.server_close()


_real_kernel_id = servers.kernel_id


def test_kernel_id_from_connection_file(fake_server):
    assert servers.kernel_id() == "0a1b2c3d-kern"


def test_api_sessions_match(fake_server):
    src = find_notebook()
    assert src.found_by == "jupyter-server"
    assert (src.name, src.path) == ("train.ipynb", str(fake_server.nb))
    assert src.content == fake_server.nb.read_bytes()
    assert any(p.startswith("/api/sessions?token=tok123") for p in _Sessions.seen)


def test_api_sessions_no_match(fake_server):
    _Sessions.sessions = _Sessions.sessions[:1]
    assert find_notebook() is None


def test_api_sessions_file_gone_gives_name(fake_server):
    fake_server.nb.unlink()
    assert find_notebook() == CodeSource("train.ipynb", None, None, "jupyter-server")


def test_password_protected_server_fails_gracefully(fake_server):
    _Sessions.mode = "forbidden"
    assert find_notebook() is None


def test_hanging_server_is_bounded(fake_server):
    # the server answers only after find_notebook returned: it gave up at its timeout
    # (how long that takes: bench/bench_capture.py)
    _Sessions.mode, _Sessions.release = "hang", threading.Event()
    try:
        assert find_notebook(timeout=0.5) is None
    finally:
        _Sessions.release.set()


def test_unreachable_server(monkeypatch, fake_server):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setattr(servers, "running_servers", lambda: [{"url": f"http://127.0.0.1:{port}/", "token": ""}])
    assert find_notebook() is None  # refused at once; timings in bench/bench_capture.py


# -- hosted notebooks -----------------------------------------------------------------


def _module(monkeypatch, name: str, **attrs) -> types.ModuleType:
    mod = types.ModuleType(name)
    mod.__spec__ = importlib.machinery.ModuleSpec(name, None)
    mod.__path__ = []  # a package, so submodules can be found
    for k, v in attrs.items():
        setattr(mod, k, v)
    monkeypatch.setitem(sys.modules, name, mod)
    return mod


def test_colab(monkeypatch):
    ipynb = {"nbformat": 4, "nbformat_minor": 5, "cells": [],
             "metadata": {"colab": {"name": "MyColab.ipynb"}}}
    calls = []

    def blocking_request(kind, timeout_sec=None):
        calls.append((kind, timeout_sec))
        return {"ipynb": ipynb}

    google = _module(monkeypatch, "google")
    colab = _module(monkeypatch, "google.colab")
    google.colab = colab
    message = _module(monkeypatch, "google.colab._message", blocking_request=blocking_request)
    colab._message = message
    src = find_notebook()
    assert (src.name, src.found_by, src.path) == ("MyColab.ipynb", "colab", None)
    assert json.loads(src.content) == ipynb
    assert calls == [("get_ipynb", 5)]
    # never from another thread: the Colab channel is not thread-safe
    out = []
    t = threading.Thread(target=lambda: out.append(find_notebook()))
    t.start()
    t.join()
    assert out == [None] and len(calls) == 1


def test_kaggle(monkeypatch):
    ipynb = {"nbformat": 4, "nbformat_minor": 5, "cells": [], "metadata": {}}

    class UserSessionClient:
        def get_exportable_ipynb(self):
            return {"source": json.dumps(ipynb)}

    _module(monkeypatch, "kaggle_session", UserSessionClient=UserSessionClient)
    src = find_notebook()
    assert (src.name, src.found_by) == ("kaggle.ipynb", "kaggle")
    assert json.loads(src.content) == ipynb


def test_never_raises(monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("boom")

    monkeypatch.setattr(servers, "kernel_id", boom)
    monkeypatch.setattr(notebook.os, "getcwd", boom)
    monkeypatch.setenv("JPY_SESSION_NAME", "x.ipynb")
    assert find_notebook() is None


# -- scripts --------------------------------------------------------------------------


def test_script_source_in_a_plain_script(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(
        "import json, sys\n"
        f"sys.path.insert(0, {str(Path(__file__).resolve().parents[2])!r})\n"
        "from nbtrack.capture.notebook import script_source\n"
        "s = script_source()\n"
        "print(json.dumps([s.name, s.path, s.found_by, len(s.content)]))\n"
    )
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    name, path, found_by, size = json.loads(out.stdout)
    assert (name, path, found_by, size) == ("train.py", str(script), "script", script.stat().st_size)


def test_script_source_none_for_dash_c_and_ipython(monkeypatch):
    monkeypatch.setattr(sys, "argv", ["-c"])
    assert script_source() is None
    monkeypatch.setattr(sys, "argv", [__file__])
    import IPython

    monkeypatch.setattr(IPython, "get_ipython", lambda: object())
    assert script_source() is None
    monkeypatch.setattr(IPython, "get_ipython", lambda: None)
    assert script_source().name == os.path.basename(__file__)


_real_running_servers = servers.running_servers


def test_running_servers_reads_runtime_dir(tmp_path):
    live = {"url": "http://127.0.0.1:8888/", "token": "t", "root_dir": "/x", "pid": os.getpid()}
    (tmp_path / "jpserver-1.json").write_text(json.dumps(live))
    (tmp_path / "nbserver-2.json").write_text(json.dumps({**live, "url": "http://127.0.0.1:9999/"}))
    (tmp_path / "jpserver-3.json").write_text(json.dumps({**live, "url": "http://x/", "pid": 2**22 + 12345}))
    (tmp_path / "jpserver-4.json").write_text("{half")
    (tmp_path / "kernel-abc.json").write_text("{}")
    urls = [s["url"] for s in _real_running_servers(str(tmp_path))]
    assert urls == ["http://127.0.0.1:8888/", "http://127.0.0.1:9999/"]
    assert (tmp_path / "jpserver-3.json").exists()  # stale files are not ours to delete
    assert _real_running_servers(str(tmp_path / "missing")) == []
