"""Shared fixtures: every test gets its own store directory and no leftover active run."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_store(tmp_path, monkeypatch):
    monkeypatch.setenv("NBTRACK_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("NBTRACK_LIVE", "0")
    for var in ("WANDB_PROJECT", "WANDB_NAME", "WANDB_RUN_ID", "NBTRACK_PROJECT", "NBTRACK_NOTEBOOK", "WANDB_NOTEBOOK_NAME"):
        monkeypatch.delenv(var, raising=False)
    yield
    import sys

    session = sys.modules.get("nbtrack.session")
    if session is not None:
        for run in list(session._runs):
            run.finish()
