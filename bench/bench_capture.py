"""How long capturing a run's code and environment takes, and a media conversion.

These are the speed claims the tests used to assert on the wall clock (they now check
only what happens); here they are measured, medians of ``--repeats`` runs:

- ``find_notebook(timeout=0.5)`` against a Jupyter server that never answers: bounded by
  its timeout, not by the server;
- ``find_notebook()`` against a server whose port refuses connections;
- ``packages()`` from its process cache, and ``environment()`` with that cache warm;
- the kernel-history notebook of 400 cells, as bytes and as an ``nbformat`` node;
- ``Image()`` of a 256x256x3 float array (scaled to uint8 and encoded as PNG);
- ``SystemMonitor.stop()`` is measured in bench/bench_system_metrics.py.

    .venv/bin/python bench/bench_capture.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import http.server
import socket
import statistics
import sys
import tempfile
import threading
import time
import types
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import numpy as np

from nbtrack.capture import servers
from nbtrack.capture.environment import environment, packages
from nbtrack.capture.history import history_notebook, history_notebook_bytes
from nbtrack.capture.notebook import find_notebook
from nbtrack.media import Image

KERNEL = "0a1b2c3d-kern"


class _Hanging(http.server.BaseHTTPRequestHandler):
    """A Jupyter server that takes every request and answers none until released."""

    release = threading.Event()

    def do_GET(self) -> None:
        type(self).release.wait(60)

    def log_message(self, *args: Any) -> None:  # quiet
        pass


def _as_kernel(url: str) -> None:
    """Make find_notebook see this process as kernel KERNEL of the server at ``url``."""
    fake_ipykernel = types.ModuleType("ipykernel")
    fake_ipykernel.get_connection_file = lambda: f"/run/jupyter/kernel-{KERNEL}.json"
    sys.modules["ipykernel"] = fake_ipykernel
    servers.running_servers = lambda directory=None: [{"url": url, "token": "t", "root_dir": "/", "password": False}]


def _median_ms(fn: Callable[[], Any], repeats: int) -> float:
    fn()  # warm
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e3


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()
    results: list[tuple[str, float]] = []

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hanging)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    _as_kernel(f"http://127.0.0.1:{httpd.server_address[1]}/")
    results.append(("find_notebook(timeout=0.5), server never answers",
                    _median_ms(lambda: find_notebook(timeout=0.5), args.repeats)))
    _Hanging.release.set()
    httpd.shutdown()
    httpd.server_close()

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    _as_kernel(f"http://127.0.0.1:{port}/")  # bound, then closed: connections are refused
    results.append(("find_notebook(), port refuses", _median_ms(find_notebook, args.repeats)))
    del sys.modules["ipykernel"]

    packages()
    results.append(("packages(), cached", _median_ms(packages, args.repeats)))
    with tempfile.TemporaryDirectory() as cwd:
        results.append(("environment(), package cache warm", _median_ms(lambda: environment(cwd), args.repeats)))

    n = 400
    inputs = [""] + [f"x_{i} = {i}\nprint(x_{i})\n" * 3 for i in range(1, n + 1)]
    outputs = {i: repr(i) for i in range(1, n + 1, 2)}
    shell = SimpleNamespace(history_manager=SimpleNamespace(input_hist_raw=inputs, output_hist_reprs=outputs))
    results.append(("history_notebook_bytes, 400 cells", _median_ms(lambda: history_notebook_bytes(shell), args.repeats)))
    results.append(("history_notebook (nbformat node), 400 cells", _median_ms(lambda: history_notebook(shell), args.repeats)))

    arr = np.random.default_rng(5).random((256, 256, 3))
    results.append(("Image(256x256x3 float noise)", _median_ms(lambda: Image(arr), args.repeats)))

    width = max(len(name) for name, _ in results)
    print(f"medians of {args.repeats} runs (after one warm-up)")
    for name, ms in results:
        print(f"  {name.ljust(width)}  {ms:9.3f} ms")


if __name__ == "__main__":
    main()
