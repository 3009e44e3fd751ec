"""`wandb.sdk.wandb_alerts.AlertLevel`."""

from __future__ import annotations

from ..tracking.alerts import AlertLevel

__all__ = ["AlertLevel"]
