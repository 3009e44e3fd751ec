"""`wandb.sdk.lib.config_util.ConfigError`, which transformers' WandbCallback imports."""

from __future__ import annotations

from ...errors import Error


class ConfigError(Error):
    """A config value could not be set (wandb raises it for a changed locked value)."""


__all__ = ["ConfigError"]
