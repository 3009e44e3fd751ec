"""`wandb.sdk.artifacts`: `wandb.sdk.artifacts.artifact.Artifact`."""

from __future__ import annotations

from . import artifact  # noqa: F401 - wandb.sdk.artifacts.artifact, a submodule wandb code imports
