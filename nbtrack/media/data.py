"""Logged values that are data rather than files: wandb's `Table` and `Histogram`.

Both become JSON references in the history (`{"_type": "table", ...}`,
`{"_type": "histogram", ...}`), so `history()` and `nbtrack.sql` give them back as data.
A table cell may hold an `Image` (a table of predictions with their inputs), or any
other media value with `to_ref()` and `blobs()`: the cell stays the object in
`table.data`, becomes its reference in the stored JSON, and its bytes are stored
content-addressed like any logged media (`Table.blobs()`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from ..flatten import histogram as _histogram
from ..flatten import to_storable
from .image import Image

TABLE_TYPE = "table"


def _keep_media(key: str, value: Any) -> Any:
    """to_storable's media hook inside a table: the media object stays in the cell."""
    return value


def _cell(column: str, value: Any) -> Any:
    if _is_media_object(value):
        return value
    if getattr(value, "ndim", 0) and hasattr(value, "tolist"):  # an array in a cell stays its values
        if hasattr(value, "detach"):
            value = value.detach().cpu()
        return value.tolist()
    return to_storable(column, value, _keep_media)


def _is_media_object(value: Any) -> bool:
    """An Image, or any other media value (it has `to_ref()` and `blobs()`, as Image does)."""
    return isinstance(value, Image) or (hasattr(value, "to_ref") and hasattr(value, "blobs") and not isinstance(value, type))


def _cell_ref(value: Any) -> Any:
    if _is_media_object(value):
        return value.to_ref()
    if isinstance(value, list):
        return [_cell_ref(v) for v in value]
    return value


def _cell_media(value: Any) -> Iterator[Any]:
    if _is_media_object(value):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from _cell_media(v)


class Table:
    """Rows of values under named columns (wandb's `Table`): predictions, samples, results.

    `Table(columns=["x", "pred"], data=[[1, 0.3], ...])`, `Table(dataframe=df)`, then
    `table.add_data(2, 0.7)`; log it with `nbtrack.log({"predictions": table})`. Cells may
    be numbers, text, lists or `nbtrack.Image` (shown as thumbnails on the run's page).
    """

    def __init__(self, columns: Sequence[str] | None = None, data: Sequence[Sequence[Any]] | None = None,
                 rows: Sequence[Sequence[Any]] | None = None, dataframe: Any = None, dtype: Any = None,
                 optional: Any = True, allow_mixed_types: bool = False, log_mode: str | None = None,
                 **wandb_kwargs: Any) -> None:
        if dataframe is not None:
            columns = [str(c) for c in dataframe.columns]
            data = dataframe.itertuples(index=False, name=None)
        rows_in = [list(r) for r in (data if data is not None else rows if rows is not None else [])]
        if columns is None:
            width = len(rows_in[0]) if rows_in else 0
            columns = [f"col{i}" for i in range(width)]
        self.columns: list[str] = [str(c) for c in columns]
        self.data: list[list[Any]] = []
        self.log_mode = log_mode
        for row in rows_in:
            self.add_data(*row)

    def add_data(self, *values: Any) -> None:
        """Append one row; it must have one value per column."""
        if len(values) != len(self.columns):
            raise ValueError(f"nbtrack.Table.add_data: got {len(values)} values for {len(self.columns)} columns "
                             f"{self.columns}.")
        self.data.append([_cell(col, v) for col, v in zip(self.columns, values)])

    def add_column(self, name: str, data: Sequence[Any], optional: bool = False) -> None:
        """Append a column with one value per existing row."""
        if len(data) != len(self.data):
            raise ValueError(f"nbtrack.Table.add_column: {len(data)} values for {len(self.data)} rows.")
        if str(name) in self.columns:
            raise ValueError(f"nbtrack.Table.add_column: the table already has a column {name!r}.")
        self.columns.append(str(name))
        for row, value in zip(self.data, data):
            row.append(_cell(str(name), value))

    def add_computed_columns(self, fn: Any) -> None:
        """Add the columns `fn(ndx, row)` returns (a dict) for every row, as wandb does."""
        computed = [fn(i, dict(zip(self.columns, row))) for i, row in enumerate(self.data)]
        for key in (computed[0] if computed else {}):
            self.add_column(key, [c[key] for c in computed])

    def get_column(self, name: str, convert_to: str | None = None) -> list[Any]:
        """The values of one column (`convert_to="numpy"` for an array)."""
        try:
            index = self.columns.index(name)
        except ValueError:
            raise KeyError(f"nbtrack.Table has no column {name!r}; columns are {self.columns}") from None
        values = [row[index] for row in self.data]
        if convert_to == "numpy":
            import numpy as np

            return np.array(values)  # type: ignore[return-value] # wandb's get_column returns an ndarray for convert_to='numpy'
        return values

    def get_index(self) -> list[int]:
        """Row numbers 0..n-1."""
        return list(range(len(self.data)))

    def iterrows(self) -> Iterator[tuple[int, list[Any]]]:
        """(row number, row values) for every row."""
        for i, row in enumerate(self.data):
            yield i, list(row)

    def cast(self, col_name: str, dtype: Any, optional: bool = False) -> None:
        """Accepted for wandb code: nbtrack keeps each cell's own type."""
        if col_name not in self.columns:
            raise KeyError(f"nbtrack.Table has no column {col_name!r}; columns are {self.columns}")

    def get_dataframe(self) -> Any:
        """The table as a pandas DataFrame."""
        import pandas as pd

        return pd.DataFrame(self.data, columns=self.columns)

    def images(self) -> list[Image]:
        """Every Image in the table's cells, row by row."""
        return [m for m in self.media() if isinstance(m, Image)]

    def media(self) -> list[Any]:
        """Every media value (Image and other media types) in the table's cells, row by row."""
        return [m for row in self.data for cell in row for m in _cell_media(cell)]

    def to_ref(self) -> dict[str, Any]:
        """The JSON reference a history row holds (images as their references)."""
        return {"_type": TABLE_TYPE, "columns": list(self.columns), "data": [[_cell_ref(c) for c in r] for r in self.data],
                "nrows": len(self.data), "ncols": len(self.columns)}

    @classmethod
    def from_ref(cls, ref: dict[str, Any], image_source: Any = None) -> Table:
        """A Table from its stored reference; `image_source(ref) -> Image` rebuilds image
        cells (without one they stay reference dicts)."""
        table = cls(columns=ref.get("columns") or [])
        for row in ref.get("data") or []:
            table.data.append([_restore(cell, image_source) for cell in row])
        return table

    def blobs(self) -> list[tuple[str, bytes]]:
        """(sha256, bytes) of every media file in the cells (images and their masks, ...)."""
        return [blob for m in self.media() for blob in m.blobs()]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Table):
            return NotImplemented
        return self.to_ref() == other.to_ref()

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        return f"<nbtrack.Table {len(self.data)} rows x {len(self.columns)} columns>"


def _restore(cell: Any, image_source: Any) -> Any:
    if image_source is not None and isinstance(cell, dict) and cell.get("_type") == "image-file":
        return image_source(cell)
    if isinstance(cell, list):
        return [_restore(c, image_source) for c in cell]
    return cell


class Histogram:
    """A histogram of values (wandb's `Histogram`): `Histogram(values, num_bins=64)` or
    `Histogram(np_histogram=np.histogram(values))`. `histogram` holds the counts and
    `bins` the edges (wandb's names; `values` is the same list)."""

    def __init__(self, sequence: Any = None, np_histogram: tuple[Any, Any] | None = None, num_bins: int = 64) -> None:
        if np_histogram is not None:
            counts, edges = np_histogram
            self.histogram = [float(c) for c in counts]
            self.bins = [float(e) for e in edges]
        elif sequence is not None:
            ref = _histogram("histogram", sequence, bins=num_bins)
            self.histogram, self.bins = ref["values"], ref["bins"]
        else:
            raise TypeError("nbtrack.Histogram needs a sequence of values or np_histogram=(counts, edges).")
        if self.bins and len(self.bins) != len(self.histogram) + 1:
            raise ValueError("nbtrack.Histogram: np_histogram needs len(edges) == len(counts) + 1.")

    @property
    def values(self) -> list[float]:
        """The counts per bin (nbtrack's earlier name for `histogram`)."""
        return self.histogram

    def to_ref(self) -> dict[str, Any]:
        """The JSON reference a history row holds."""
        return {"_type": "histogram", "values": list(self.histogram), "bins": list(self.bins)}

    def blobs(self) -> list[tuple[str, bytes]]:
        """Histograms keep no files."""
        return []
