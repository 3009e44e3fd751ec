"""wandb's Keras callbacks under nbtrack: ``from nbtrack.keras import WandbMetricsLogger, WandbModelCheckpoint``.

Re-exports ``nbtrack.integrations.keras`` (importing this module imports keras).
"""

from __future__ import annotations

from .integrations.keras import MetricsLogger, ModelCheckpoint, WandbMetricsLogger, WandbModelCheckpoint

__all__ = ["MetricsLogger", "ModelCheckpoint", "WandbMetricsLogger", "WandbModelCheckpoint"]
