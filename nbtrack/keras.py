"""wandb's Keras callbacks under nbtrack: ``from nbtrack.keras import WandbCallback``
(wandb's legacy path), ``WandbMetricsLogger``, ``WandbModelCheckpoint``, ``WandbEvalCallback``.

Re-exports ``nbtrack.integrations.keras`` and the legacy callbacks (importing this module imports keras).
"""

from __future__ import annotations

from .integrations.keras import MetricsLogger, ModelCheckpoint, WandbMetricsLogger, WandbModelCheckpoint
from .integrations.keras_eval import WandbEvalCallback
from .integrations.keras_legacy import WandbCallback

__all__ = ["MetricsLogger", "ModelCheckpoint", "WandbCallback", "WandbEvalCallback", "WandbMetricsLogger",
           "WandbModelCheckpoint"]
