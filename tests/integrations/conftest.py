"""Fixtures for the integration tests: a store directory and a way to read a run back."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")  # before anything imports keras


@pytest.fixture
def store(tmp_path):
    return tmp_path / "store"


@pytest.fixture
def stored(store):
    """stored(run) -> the run as read back through nbtrack.Api (after it finished)."""
    import nbtrack

    def read(run):
        if not run.finished:
            run.finish()
        return nbtrack.Api(dir=store).run(run.id)

    return read
