"""`wandb.integration.sklearn` (= `wandb.sklearn`): the `plot_*` functions."""

from __future__ import annotations

from ..integrations.sklearn_plots import *  # noqa: F403 - wandb's names
from ..integrations.sklearn_plots import __all__  # noqa: F401 - the names above, for `from ... import *`
