"""Tables made of other tables, kept in artifacts: wandb's `PartitionedTable` and `JoinedTable`.

Both are added to an artifact with `artifact.add(obj, name)` and read back with
`artifact.get(name)`:

- `PartitionedTable(parts_path)` names a folder of the artifact holding `*.table.json`
  parts (added with `artifact.add(table, "parts/part_0")` ...); read back, `parts`
  lists them, `iterrows()` walks every row, `get_dataframe()` concatenates them.
- `JoinedTable(table1, table2, join_key)` joins two tables (Table objects, or names of
  tables in the same artifact) on a column (or a pair of columns); read back, `join()`
  gives the inner join as a Table.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from .data import Table

PARTITIONED_TYPE = "partitioned-table"
JOINED_TYPE = "joined-table"


class PartitionedTable:
    """A table stored as parts under one folder of an artifact."""

    def __init__(self, parts_path: str) -> None:
        if not isinstance(parts_path, str) or not parts_path.strip("/"):
            raise ValueError("PartitionedTable: parts_path must name a folder of the artifact, e.g. 'parts'.")
        self.parts_path = parts_path.strip("/")
        self.parts: list[Table] = []  # filled when read back from an artifact

    def to_ref(self) -> dict[str, Any]:
        """The JSON an artifact keeps."""
        return {"_type": PARTITIONED_TYPE, "parts_path": self.parts_path}

    def iterrows(self) -> Iterator[tuple[int, list[Any]]]:
        """(row number across parts, row values) for every row of every part."""
        n = 0
        for part in self.parts:
            for _, row in part.iterrows():
                yield n, row
                n += 1

    def get_dataframe(self) -> Any:
        """All parts as one pandas DataFrame."""
        import pandas as pd

        frames = [p.get_dataframe() for p in self.parts]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def __repr__(self) -> str:
        return f"<nbtrack.PartitionedTable {self.parts_path!r} parts={len(self.parts)}>"


class JoinedTable:
    """Two tables and the column(s) that join them."""

    def __init__(self, table1: Table | str, table2: Table | str, join_key: str | Sequence[str]) -> None:
        for t in (table1, table2):
            if not isinstance(t, (Table, str)):
                raise TypeError("JoinedTable: tables must be nbtrack.Table objects or names of tables in the artifact.")
        if isinstance(join_key, str):
            keys = (join_key, join_key)
        elif isinstance(join_key, Sequence) and len(join_key) == 2 and all(isinstance(k, str) for k in join_key):
            keys = (join_key[0], join_key[1])
        else:
            raise TypeError("JoinedTable: join_key must be a column name or a pair of column names.")
        self._table1 = table1
        self._table2 = table2
        self._join_key = keys

    @property
    def table1(self) -> Table | str:
        """The left table (a Table, or its name in the artifact before it is read back)."""
        return self._table1

    @property
    def table2(self) -> Table | str:
        """The right table."""
        return self._table2

    @property
    def join_key(self) -> tuple[str, str]:
        """The column of each table the join matches on."""
        return self._join_key

    def join(self) -> Table:
        """The inner join of the two tables (both must be Tables: read back from an artifact)."""
        t1, t2 = self._table1, self._table2
        if not isinstance(t1, Table) or not isinstance(t2, Table):
            raise ValueError("JoinedTable.join: read the JoinedTable back with artifact.get(name) first.")
        k1, k2 = self._join_key
        i1, i2 = t1.columns.index(k1), t2.columns.index(k2)
        right: dict[Any, list[list[Any]]] = {}
        for row in t2.data:
            right.setdefault(_hashable(row[i2]), []).append(row)
        columns = [f"{c}_1" if c in t2.columns and c != k1 else c for c in t1.columns]
        columns += [f"{c}_2" if c in t1.columns else c for j, c in enumerate(t2.columns) if j != i2]
        out = Table(columns=columns)
        for row in t1.data:
            for other in right.get(_hashable(row[i1]), []):
                out.data.append(list(row) + [v for j, v in enumerate(other) if j != i2])
        return out

    def get_dataframe(self) -> Any:
        """The join as a pandas DataFrame."""
        return self.join().get_dataframe()

    def __repr__(self) -> str:
        return f"<nbtrack.JoinedTable on {self._join_key}>"


def _hashable(value: Any) -> Any:
    return repr(value) if isinstance(value, (list, dict)) else value
