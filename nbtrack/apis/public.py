"""`wandb.apis.public`: `Api`, `Run`, `Project`, `File` of the read API."""

from __future__ import annotations

from ..api import Api, ApiFile as File, ApiProject as Project, ApiRun as Run

__all__ = ["Api", "File", "Project", "Run"]
