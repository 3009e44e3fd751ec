"""The wandb compatibility suite: wandb-style notebooks run headless through nbclient with
`import nbtrack as wandb`, then the store is read back to check what landed."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient


class NotebookFailed(AssertionError):
    """A cell raised: the message holds the cell and its traceback."""


def errors(nb: nbformat.NotebookNode) -> list[str]:
    """Each error output as 'ename: evalue' with the cell's first line."""
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if o.get("output_type") == "error":
                out.append(f"{cell.source.splitlines()[0] if cell.source else ''!r}: {o.get('ename')}: {o.get('evalue')}\n"
                           + "\n".join(o.get("traceback", [])[-3:]))
    return out


def text_of(nb: nbformat.NotebookNode) -> str:
    """Everything the cells printed (stdout and stderr) and displayed as text."""
    parts = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            parts.append(o.get("text", "") or str(o.get("data", {}).get("text/plain", "")))
    return "\n".join(parts)


@pytest.fixture
def wandb_notebook(tmp_path, monkeypatch):
    """run(cells, live=False) -> (executed notebook, store dir); fails with the traceback of
    any cell that raised. The notebook runs in tmp_path/work; the store is tmp_path/store."""
    work = tmp_path / "work"
    work.mkdir()
    store = tmp_path / "store"

    def run(cells: list[str], live: bool = False, timeout: int = 240) -> tuple[nbformat.NotebookNode, Path]:
        monkeypatch.setenv("NBTRACK_DIR", str(store))
        monkeypatch.setenv("NBTRACK_LIVE", "1" if live else "0")
        monkeypatch.setenv("KERAS_BACKEND", "torch")
        monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(Path(__file__).resolve().parents[2]),
                                                          os.environ.get("PYTHONPATH", "")]))
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                                resources={"metadata": {"path": str(work)}}, store_widget_state=True)
        client.execute()
        failed = errors(nb)
        if failed:
            raise NotebookFailed("\n\n".join(failed))
        return nb, store

    run.work = work
    return run
