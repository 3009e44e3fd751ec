"""`wandb.sdk.wandb_summary.Summary`: the run's summary class."""

from __future__ import annotations

from ..tracking.summary import Summary

__all__ = ["Summary"]
