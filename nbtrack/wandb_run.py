"""`wandb.wandb_run.Run`: the old import path of the Run class (Lightning imports it)."""

from __future__ import annotations

from .tracked_run import Run

__all__ = ["Run"]
