"""`wandb.sdk.artifacts`: `wandb.sdk.artifacts.artifact.Artifact`."""

from __future__ import annotations

from . import artifact  # noqa: F401
