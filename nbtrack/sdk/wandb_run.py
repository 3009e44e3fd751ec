"""`nbtrack.sdk.wandb_run.finish()`: wandb's module path to finishing the active run."""

from __future__ import annotations

from ..tracked_run import Run
from ..session import finish

__all__ = ["Run", "finish"]
