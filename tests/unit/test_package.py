"""The package's public names: wandb's module attributes and a cheap import."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import nbtrack


def test_submodules_do_not_shadow_run_config_summary():
    for info in pkgutil.walk_packages(nbtrack.__path__, "nbtrack."):
        if ".integration" in info.name or info.name.endswith(("__main__", "nbtrack.keras", "nbtrack.sklearn")):
            continue
        try:
            importlib.import_module(info.name)
        except ModuleNotFoundError as exc:  # nbtrack.xgboost & co. wrap an optional framework
            if exc.name is None or exc.name.split(".")[0] == "nbtrack":
                raise
    assert nbtrack.run is None
    assert "no active run" in repr(nbtrack.config) and "no active run" in repr(nbtrack.summary)


def test_init_publishes_and_finish_clears_the_active_run():
    run = nbtrack.init(project="p", config={"lr": 0.1})
    assert nbtrack.run is run and nbtrack.config.lr == 0.1 and nbtrack.summary is run.summary
    second = nbtrack.init(project="p")  # a new init finishes the previous run, as wandb does in notebooks
    assert run.finished and run.state == "finished" and nbtrack.run is second
    assert nbtrack.init(project="p", reinit="return_previous") is second
    nbtrack.finish()
    assert nbtrack.run is None


def test_import_is_cheap():
    code = "import sys, nbtrack; print(sorted(m for m in ('duckdb', 'pyarrow', 'pandas', 'anywidget') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
