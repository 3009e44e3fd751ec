"""`from wandb.integration.keras import WandbMetricsLogger, WandbModelCheckpoint, WandbEvalCallback, WandbCallback`."""

from __future__ import annotations

from ..integrations.keras import WandbMetricsLogger, WandbModelCheckpoint
from ..integrations.keras_eval import WandbEvalCallback
from ..integrations.keras_legacy import WandbCallback

__all__ = ["WandbCallback", "WandbEvalCallback", "WandbMetricsLogger", "WandbModelCheckpoint"]
