"""`wandb.apis`: `wandb.apis.public.Api` and `wandb.apis.PublicApi` (the read API)."""

from __future__ import annotations

from ..api import Api
from . import public  # noqa: F401

PublicApi = Api

__all__ = ["Api", "PublicApi", "public"]
