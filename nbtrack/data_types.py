"""`wandb.data_types`: the values `log()` accepts besides numbers and text."""

from __future__ import annotations

from .media import Histogram, Image, JoinedTable, PartitionedTable, Table

__all__ = ["Histogram", "Image", "JoinedTable", "PartitionedTable", "Table"]
