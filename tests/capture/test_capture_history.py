from __future__ import annotations

import json
from types import SimpleNamespace

import nbformat
import pytest
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

from nbtrack.capture.history import history_dict, history_notebook, history_notebook_bytes


@pytest.fixture(scope="module")
def shell():
    cfg = Config()
    cfg.HistoryManager.hist_file = ":memory:"
    sh = InteractiveShell.instance(config=cfg)
    sh.history_manager.reset()
    sh.execution_count = 1
    yield sh


def test_history_notebook_real_shell(shell):
    shell.run_cell("a = 20", store_history=True)
    shell.run_cell("def f(x):\n    return x * 2\n", store_history=True)
    shell.run_cell("f(a) + 2", store_history=True)
    shell.run_cell("print('hi')", store_history=True)
    shell.run_cell("1 / 0", store_history=True)  # errors are history too
    shell.run_cell("a = a + 1", store_history=True)
    shell.run_cell("a", store_history=True)

    nb = history_notebook(shell)
    nbformat.validate(nb)
    sources = [c.source for c in nb.cells]
    assert sources == [
        "a = 20",
        "def f(x):\n    return x * 2",
        "f(a) + 2",
        "print('hi')",
        "1 / 0",
        "a = a + 1",
        "a",
    ]
    counts = [c.execution_count for c in nb.cells]
    assert counts == sorted(counts) and len(set(counts)) == len(counts)
    by_source = {c.source: c for c in nb.cells}
    assert by_source["f(a) + 2"].outputs[0]["data"]["text/plain"] == "42"
    assert by_source["a"].outputs[0]["data"]["text/plain"] == "21"
    assert by_source["a = 20"].outputs == []
    assert all(c.cell_type == "code" for c in nb.cells)


def test_history_bytes_is_valid_ipynb(shell):
    raw = history_notebook_bytes(shell)
    nb = nbformat.reads(raw.decode(), as_version=4)
    nbformat.validate(nb)
    assert nb.cells and nb.cells[0].source == "a = 20"
    assert json.loads(raw) == history_dict(shell)


def test_history_never_raises():
    class Broken:
        @property
        def history_manager(self):
            raise RuntimeError("boom")

    for bad in (Broken(), object(), SimpleNamespace(history_manager=None)):
        nb = history_notebook(bad)
        nbformat.validate(nb)
        assert nb.cells == []
        assert json.loads(history_notebook_bytes(bad))["cells"] == []


def test_history_without_shell_is_empty(monkeypatch):
    import IPython

    monkeypatch.setattr(IPython, "get_ipython", lambda: None)
    assert history_notebook().cells == []


def test_history_of_hundreds_of_cells():
    # how long this takes: bench/bench_capture.py
    n = 400
    inputs = [""] + [f"x_{i} = {i}\nprint(x_{i})\n" * 3 for i in range(1, n + 1)]
    outputs = {i: repr(i) for i in range(1, n + 1, 2)}
    fake = SimpleNamespace(history_manager=SimpleNamespace(input_hist_raw=inputs, output_hist_reprs=outputs))
    raw = history_notebook_bytes(fake)
    nb = history_notebook(fake)
    assert len(nb.cells) == n and len(json.loads(raw)["cells"]) == n
    nbformat.validate(nb)
