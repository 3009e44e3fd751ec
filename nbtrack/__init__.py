"""nbtrack: experiment tracking inside the notebook.

wandb's notebook API (`import nbtrack as wandb` runs wandb notebook code), every run in
one DuckDB file on your disk, live learning curves drawn by a widget the kernel pushes
to. No account, no server, no network.

    import nbtrack
    run = nbtrack.init(project="mnist", config={"lr": 1e-3})
    for step in range(100):
        nbtrack.log({"loss": 1 / (step + 1)})
    nbtrack.finish()
    nbtrack.runs("mnist")          # a pandas DataFrame, one row per run
    nbtrack.table("mnist")         # the runs table widget: sort, filter, compare, code, diff
    nbtrack.report("mnist")        # one self-contained HTML file to share

`import nbtrack` is cheap: the modules behind each name load on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from . import active_runs
from .errors import Error, NoActiveRun, UsageError

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .api import Api as Api
    from .api import runs as runs
    from .api import sql as sql
    from .artifacts import Artifact as Artifact
    from .live import compare as compare
    from .media import Audio as Audio
    from .media import Histogram as Histogram
    from .media import Html as Html
    from .media import Image as Image
    from .media import JoinedTable as JoinedTable
    from .media import Molecule as Molecule
    from .media import Object3D as Object3D
    from .media import PartitionedTable as PartitionedTable
    from .media import Table as Table
    from .media import Video as Video
    from .notebook.magic import load_ipython_extension as load_ipython_extension
    from .reports import Report as Report
    from .reports import report as report
    from .run_functions import alert as alert
    from .run_functions import link_model as link_model
    from .run_functions import log_model as log_model
    from .run_functions import mark_preempting as mark_preempting
    from .run_functions import require as require
    from .run_functions import restore as restore
    from .run_functions import unwatch as unwatch
    from .run_functions import use_model as use_model
    from .runs_table import table as table
    from .session import define_metric as define_metric
    from .session import finish as finish
    from .session import init as init
    from .session import log as log
    from .session import log_artifact as log_artifact
    from .session import login as login
    from .session import save as save
    from .session import use_artifact as use_artifact
    from .session import watch as watch
    from .settings import Settings as Settings
    from .sweeps.agent import agent as agent
    from .sweeps.agent import sweep as sweep
    from .term import termerror as termerror
    from .term import termlog as termlog
    from .term import termwarn as termwarn
    from .tracking.alerts import AlertLevel as AlertLevel
    from .tracking.run import Run as Run

#: The active run (None before init and after finish); set by init() and finish().
run: Any = None
#: The active run's config and summary; before init, using them says to call init().
config: Any = NoActiveRun("config")
summary: Any = NoActiveRun("summary")

_LAZY = {
    "Api": "api",
    "runs": "api",
    "sql": "api",
    "load_ipython_extension": "notebook.magic",
    "Image": "media",
    "Table": "media",
    "Histogram": "media",
    "Audio": "media",
    "Video": "media",
    "Html": "media",
    "Object3D": "media",
    "Molecule": "media",
    "Plotly": "media",
    "plot_table": "plot",
    "patch_wandb": "wandb_alias",
    "unpatch_wandb": "wandb_alias",
    "Settings": "settings",
    "Run": "tracking.run",
    "init": "session",
    "log": "session",
    "finish": "session",
    "define_metric": "session",
    "save": "session",
    "login": "session",
    "watch": "session",
    "log_artifact": "session",
    "use_artifact": "session",
    "Artifact": "artifacts",
    "compare": "live",
    "table": "runs_table",
    "report": "reports",
    "Report": "reports",
    "alert": "run_functions",
    "log_model": "run_functions",
    "use_model": "run_functions",
    "link_model": "run_functions",
    "unwatch": "run_functions",
    "restore": "run_functions",
    "mark_preempting": "run_functions",
    "require": "run_functions",
    "AlertLevel": "tracking.alerts",
    "termlog": "term",
    "termwarn": "term",
    "termerror": "term",
    "PartitionedTable": "media",
    "JoinedTable": "media",
    "sweep": "sweeps.agent",
    "agent": "sweeps.agent",
}

#: wandb submodules that wandb code reaches after a bare `import wandb`
#: (`wandb.sdk.wandb_run.finish()`, `wandb.util.generate_id()`, ...): imported on first use.
_SUBMODULES = {
    "sdk",
    "apis",
    "util",
    "integration",
    "integrations",
    "keras",
    "sklearn",
    "data_types",
    "term",
    "xgboost",
    "lightgbm",
    "plot",
}

__all__ = ["Error", "UsageError", "config", "run", "summary", *_LAZY]


def _start_run(**init_kwargs: Any) -> Any:
    """`nbtrack.init`, loaded on first use: how the layers below the session start a run."""
    return __getattr__("init")(**init_kwargs)


active_runs.set_run_starter(_start_run)


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'nbtrack' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | _SUBMODULES)
