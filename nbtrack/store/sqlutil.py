"""Small helpers over the DuckDB Python API that work on duckdb 1.1 through 2.x."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa


def fetch_table(con: Any, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> pa.Table:
    """Run a query and copy the whole result out as a ``pyarrow.Table``.

    Uses a relation (``con.sql``) so no DB-API result stays open on the connection.
    """
    rel = con.sql(sql, params=params) if params else con.sql(sql)
    if rel is None:  # a statement without a result
        return pa.table({})
    if hasattr(rel, "to_arrow_table"):
        return rel.to_arrow_table()
    out = rel.arrow()  # duckdb < 1.4 returns a Table here
    return out.read_all() if isinstance(out, pa.RecordBatchReader) else out

