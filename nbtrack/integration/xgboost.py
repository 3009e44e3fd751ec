"""`from wandb.integration.xgboost import WandbCallback`."""

from __future__ import annotations

from ..integrations.xgboost import WandbCallback

__all__ = ["WandbCallback"]
