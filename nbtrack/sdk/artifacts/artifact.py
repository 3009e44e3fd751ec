"""`wandb.sdk.artifacts.artifact.Artifact`."""

from __future__ import annotations

from ...artifacts import Artifact

__all__ = ["Artifact"]
