"""Which stores the server extension may show: only store directories under its root."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from nbtrack.server import _jupyter_server_extension_points
from nbtrack.server.stores import StoreNotFound, find_stores, resolve_store

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def root(tmp_path):
    r = tmp_path / "root"
    for store in ("nbtrack", "exp/a/nbtrack", ".hidden/nbtrack", "node_modules/x/nbtrack"):
        (r / store).mkdir(parents=True)
        (r / store / "runs.duckdb").write_bytes(b"")
    (r / "empty").mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "runs.duckdb").write_bytes(b"")
    os.symlink(outside, r / "link")
    return r


def test_find_stores_skips_hidden_and_vendored_dirs(root):
    assert find_stores(root) == ["exp/a/nbtrack", "nbtrack"]
    assert find_stores(root, allow_hidden=True) == [".hidden/nbtrack", "exp/a/nbtrack", "nbtrack"]


def test_resolve_store_accepts_paths_under_the_root(root):
    assert resolve_store(root, None) == (root / "nbtrack").resolve()
    assert resolve_store(root, "exp/a/nbtrack/") == (root / "exp/a/nbtrack").resolve()
    assert resolve_store(root, ".hidden/nbtrack", allow_hidden=True) == (root / ".hidden/nbtrack").resolve()


@pytest.mark.parametrize("rel", ["..", "../root/nbtrack", "exp/../../x", "/etc", "\\\\server\\share", "C:/Windows",
                                 "link", "empty", ".hidden/nbtrack", "nbtrack\0", "exp/a/nbtrack/../../.."])
def test_resolve_store_refuses_everything_else(root, rel):
    with pytest.raises(StoreNotFound):
        resolve_store(root, rel)


def test_jupyter_config_enables_the_extension_and_the_wheel_installs_it():
    assert _jupyter_server_extension_points() == [{"module": "nbtrack.server"}]
    config = json.loads((ROOT / "jupyter-config/jupyter_server_config.d/nbtrack.json").read_text())
    assert config == {"ServerApp": {"jpserver_extensions": {"nbtrack.server": True}}}
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    shared = project["tool"]["hatch"]["build"]["targets"]["wheel"]["shared-data"]
    assert shared == {"jupyter-config/jupyter_server_config.d": "etc/jupyter/jupyter_server_config.d"}
