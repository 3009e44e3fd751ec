"""`wandb.sdk.wandb_config.Config`: the run's config class."""

from __future__ import annotations

from ..run_config import Config

__all__ = ["Config"]
