"""Logged values that are data rather than files: wandb's `Table` and `Histogram`.

Both become JSON references in the history (`{"_type": "table", ...}`,
`{"_type": "histogram", ...}`), so `history()` and `nbtrack.sql` give them back as data.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..flatten import histogram as _histogram
from ..flatten import to_storable


class Table:
    """Rows of values under named columns (wandb's `Table`): predictions, samples, results.

    `Table(columns=["x", "pred"], data=[[1, 0.3], ...])`, `Table(dataframe=df)`, then
    `table.add_data(2, 0.7)`; log it with `nbtrack.log({"predictions": table})`.
    """

    def __init__(self, columns: Sequence[str] | None = None, data: Sequence[Sequence[Any]] | None = None,
                 rows: Sequence[Sequence[Any]] | None = None, dataframe: Any = None, allow_mixed_types: bool = False,
                 **wandb_kwargs: Any) -> None:
        if dataframe is not None:
            columns = [str(c) for c in dataframe.columns]
            data = dataframe.itertuples(index=False, name=None)
        rows_in = [list(r) for r in (data if data is not None else rows or [])]
        if columns is None:
            width = len(rows_in[0]) if rows_in else 0
            columns = [f"col{i}" for i in range(width)]
        self.columns: list[str] = [str(c) for c in columns]
        self.data: list[list[Any]] = []
        for row in rows_in:
            self.add_data(*row)

    def add_data(self, *values: Any) -> None:
        """Append one row; it must have one value per column."""
        if len(values) != len(self.columns):
            raise ValueError(f"nbtrack.Table.add_data: got {len(values)} values for {len(self.columns)} columns "
                             f"{self.columns}.")
        self.data.append([to_storable(col, v) for col, v in zip(self.columns, values)])

    def add_column(self, name: str, data: Sequence[Any]) -> None:
        """Append a column with one value per existing row."""
        if len(data) != len(self.data):
            raise ValueError(f"nbtrack.Table.add_column: {len(data)} values for {len(self.data)} rows.")
        self.columns.append(str(name))
        for row, value in zip(self.data, data):
            row.append(to_storable(str(name), value))

    def get_dataframe(self) -> Any:
        """The table as a pandas DataFrame."""
        import pandas as pd

        return pd.DataFrame(self.data, columns=self.columns)

    def to_ref(self) -> dict[str, Any]:
        """The JSON reference a history row holds."""
        return {"_type": "table", "columns": list(self.columns), "data": [list(r) for r in self.data],
                "nrows": len(self.data), "ncols": len(self.columns)}

    def blobs(self) -> list[tuple[str, bytes]]:
        """Tables keep no files."""
        return []

    def __repr__(self) -> str:
        return f"<nbtrack.Table {len(self.data)} rows x {len(self.columns)} columns>"


class Histogram:
    """A histogram of values (wandb's `Histogram`): `Histogram(values, num_bins=64)` or
    `Histogram(np_histogram=np.histogram(values))`."""

    def __init__(self, sequence: Any = None, np_histogram: tuple[Any, Any] | None = None, num_bins: int = 64) -> None:
        if np_histogram is not None:
            counts, edges = np_histogram
            self.values = [float(c) for c in counts]
            self.bins = [float(e) for e in edges]
        elif sequence is not None:
            ref = _histogram("histogram", sequence, bins=num_bins)
            self.values, self.bins = ref["values"], ref["bins"]
        else:
            raise TypeError("nbtrack.Histogram needs a sequence of values or np_histogram=(counts, edges).")
        if self.bins and len(self.bins) != len(self.values) + 1:
            raise ValueError("nbtrack.Histogram: np_histogram needs len(edges) == len(counts) + 1.")

    def to_ref(self) -> dict[str, Any]:
        """The JSON reference a history row holds."""
        return {"_type": "histogram", "values": list(self.values), "bins": list(self.bins)}

    def blobs(self) -> list[tuple[str, bytes]]:
        """Histograms keep no files."""
        return []
