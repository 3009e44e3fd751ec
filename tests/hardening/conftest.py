"""Hardening tests run in their own working directory (downloads land there)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _cwd(tmp_path, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work
