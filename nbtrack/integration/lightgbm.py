"""`from wandb.integration.lightgbm import wandb_callback, log_summary` (wandb's signatures)."""

from __future__ import annotations

from ..integrations.lightgbm import wandb_callback
from ..integrations.lightgbm import wandb_log_summary as log_summary

__all__ = ["log_summary", "wandb_callback"]
