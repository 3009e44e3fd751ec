"""`wandb.sdk.wandb_config.Config`: the run's config class."""

from __future__ import annotations

from ..tracking.config import Config

__all__ = ["Config"]
