"""wandb's legacy `wandb.xgboost` path: the same names as `nbtrack.integration.xgboost`."""

from __future__ import annotations

from .integration.xgboost import *  # noqa: F403 - wandb's module of the same name, re-exported whole
from .integration.xgboost import __all__  # noqa: F401 - the names above, for `from ... import *`
