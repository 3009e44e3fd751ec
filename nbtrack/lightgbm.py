"""wandb's legacy `wandb.lightgbm` path: the same names as `nbtrack.integration.lightgbm`."""

from __future__ import annotations

from .integration.lightgbm import *  # noqa: F403 - wandb's module of the same name, re-exported whole
from .integration.lightgbm import __all__  # noqa: F401 - the names above, for `from ... import *`
