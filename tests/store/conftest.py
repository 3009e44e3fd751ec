"""The `store` fixture: an empty store directory per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from nbtrack.store.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "store")


@pytest.fixture(autouse=True)
def _close_open_run_writers():
    """Runs a test leaves open would keep heartbeating into its store after the test."""
    yield
    from nbtrack.store import live_writers

    for writer in live_writers._snapshot():
        for run in list(writer._runs.values()):
            run.close()
