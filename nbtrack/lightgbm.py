"""wandb's legacy `wandb.lightgbm` path: the same names as `nbtrack.integration.lightgbm`."""

from __future__ import annotations

from .integration.lightgbm import *  # noqa: F403
from .integration.lightgbm import __all__  # noqa: F401
