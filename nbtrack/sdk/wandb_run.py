"""`nbtrack.sdk.wandb_run.finish()`: wandb's module path to finishing the active run."""

from __future__ import annotations

from ..session import finish
from ..tracking.run import Run

__all__ = ["Run", "finish"]
