"""`wandb.wandb_run.Run`: the old import path of the Run class (Lightning imports it)."""

from __future__ import annotations

from .tracking.run import Run

__all__ = ["Run"]
