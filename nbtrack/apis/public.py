"""`wandb.apis.public`: `Api`, `Run`, `Project`, `File` of the read API."""

from __future__ import annotations

from ..api import Api
from ..api import ApiFile as File
from ..api import ApiProject as Project
from ..api import ApiRun as Run

__all__ = ["Api", "File", "Project", "Run"]
