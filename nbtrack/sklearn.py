"""wandb's legacy `wandb.sklearn` path: the same names as `nbtrack.integration.sklearn`."""

from __future__ import annotations

from .integration.sklearn import *  # noqa: F403 - wandb's module of the same name, re-exported whole
from .integration.sklearn import __all__  # noqa: F401 - the names above, for `from ... import *`
