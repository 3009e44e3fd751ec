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
    from nbtrack import active_runs

    for run in active_runs.open_runs():
        run.finish()


class StorageSwitch:
    """While `broken` is True every store write fails as a full disk would."""

    def __init__(self) -> None:
        self.broken = True


@pytest.fixture
def failing_store(monkeypatch):
    """Make Store.write raise duckdb.IOException until the returned switch is turned off."""
    from contextlib import contextmanager

    import duckdb

    from nbtrack.store.store import Store

    switch = StorageSwitch()
    real_write = Store.write

    @contextmanager
    def flaky_write(self, timeout=10.0):
        if switch.broken:
            raise duckdb.IOException("IO Error: No space left on device")
        with real_write(self, timeout) as con:
            yield con

    monkeypatch.setattr(Store, "write", flaky_write)
    return switch
