"""`wandb.apis`: `wandb.apis.public.Api` and `wandb.apis.PublicApi` (the read API)."""

from __future__ import annotations

from ..api import Api
from . import public

PublicApi = Api

__all__ = ["Api", "PublicApi", "public"]
