"""Moving runs in and out of a store: ``export`` (Parquet, CSV, JSON Lines) and importers
for wandb offline run directories and wandb's CSV exports."""

from __future__ import annotations

from .export import FORMATS, export
from .wandb_csv import import_wandb_csv
from .wandb_offline import import_wandb_offline

__all__ = ["FORMATS", "export", "import_wandb_csv", "import_wandb_offline"]
