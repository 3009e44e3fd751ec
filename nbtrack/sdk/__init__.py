"""wandb's `wandb.sdk` spellings, for code written against them.

`wandb.sdk.wandb_run.Run`, `wandb.sdk.wandb_run.finish()`, `wandb.sdk.wandb_settings.Settings`,
`wandb.sdk.wandb_config.Config`, `wandb.sdk.data_types.Table`, `wandb.sdk.artifacts.artifact.Artifact`
work after a bare `import nbtrack as wandb`: each submodule loads on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

_SUBMODULES = {"wandb_run", "wandb_settings", "wandb_config", "wandb_summary", "data_types", "artifacts", "wandb_alerts"}


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'nbtrack.sdk' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _SUBMODULES)
