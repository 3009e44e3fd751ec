"""Make the repository importable (nbtrack may still be a namespace package)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import pytest

NOTEBOOK_ENV = ("NBTRACK_NOTEBOOK", "WANDB_NOTEBOOK_NAME", "JPY_SESSION_NAME")


@pytest.fixture(autouse=True)
def _clean_notebook_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the notebook hints of the process that runs pytest."""
    for var in NOTEBOOK_ENV:
        monkeypatch.delenv(var, raising=False)


def _tiny_notebook(*sources: str) -> bytes:
    """A minimal valid .ipynb with one code cell per source."""
    import json

    cells = [
        {"id": f"c{i}", "cell_type": "code", "execution_count": None, "metadata": {},
         "source": s, "outputs": []}
        for i, s in enumerate(sources)
    ]
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}
    return json.dumps(nb).encode()


@pytest.fixture
def tiny_notebook():
    """Factory: tiny_notebook("x = 1", ...) -> .ipynb bytes."""
    return _tiny_notebook
