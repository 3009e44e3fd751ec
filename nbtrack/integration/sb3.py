"""`from wandb.integration.sb3 import WandbCallback` (Stable-Baselines3)."""

from __future__ import annotations

from ..integrations.sb3 import WandbCallback

__all__ = ["WandbCallback"]
