"""`wandb.sdk.wandb_settings.Settings`."""

from __future__ import annotations

from ..settings import Settings

__all__ = ["Settings"]
