"""wandb's `wandb.sdk.lib` names that libraries import (Lightning's `WandbLogger`)."""

from __future__ import annotations

from ...tracking.run import Run


class RunDisabled(Run):
    """wandb's type of a run made with mode="disabled"; nbtrack's disabled runs are `Run`s,
    so no object is ever of this class (isinstance checks against it simply fail)."""


__all__ = ["RunDisabled"]
