"""Run notebooks headless in a real kernel with nbclient."""

from __future__ import annotations


import nbformat
import pytest
from nb_run import execute


@pytest.fixture
def run_notebook(tmp_path):
    def run(cells: list[str], live: bool = False) -> nbformat.NotebookNode:
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        import os

        previous = os.environ.get("NBTRACK_LIVE")
        os.environ["NBTRACK_LIVE"] = "1" if live else "0"
        try:
            return execute(nb, tmp_path)
        finally:
            if previous is None:
                os.environ.pop("NBTRACK_LIVE", None)
            else:
                os.environ["NBTRACK_LIVE"] = previous

    return run
