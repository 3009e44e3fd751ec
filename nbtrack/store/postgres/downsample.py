"""M4 downsampling pushed into PostgreSQL: the same points as ``store/downsample.py``.

PostgreSQL has no ``arg_min``/``arg_max``; ``min``/``max`` over arrays compare
element by element, so ``min(ARRAY[x, step, ts, num])`` is the row of the smallest x
(ties by step) and ``min(ARRAY[num, step, ts])`` the row of the smallest value: one
hashed aggregate per pixel column, and only ~4 points per column leave the server.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa

_M4 = """
WITH s AS (
  SELECT run_id, key, count(*) AS n, min({x}) AS lo, max({x}) AS hi FROM history
  WHERE run_id = ANY($1::text[]) {key_filter} AND num IS NOT NULL GROUP BY run_id, key
),
b AS (
  SELECT h.run_id, h.key, h.step, h.ts, h.num, {hx} AS x,
         CASE WHEN s.n <= 4 * $2 OR s.hi = s.lo THEN -1 - h.step
              ELSE least(floor(({hx} - s.lo) * $2 / (s.hi - s.lo)), $2 - 1) END AS bin
  FROM history h JOIN s ON h.run_id = s.run_id AND h.key = s.key
  WHERE h.run_id = ANY($1::text[]) {hkey_filter} AND h.num IS NOT NULL
),
m AS (
  SELECT run_id, key,
    min(ARRAY[x, step, ts, num]) AS a, max(ARRAY[x, step, ts, num]) AS z,
    min(ARRAY[num, step, ts]) AS lo, max(ARRAY[num, step, ts]) AS hi
  FROM b GROUP BY run_id, key, bin
)
SELECT DISTINCT run_id, key, step::bigint AS step, ts, num FROM (
  SELECT run_id, key, a[2] AS step, a[3] AS ts, a[4] AS num FROM m UNION ALL
  SELECT run_id, key, z[2], z[3], z[4] FROM m UNION ALL
  SELECT run_id, key, lo[2], lo[3], lo[1] FROM m UNION ALL
  SELECT run_id, key, hi[2], hi[3], hi[1] FROM m) q
ORDER BY run_id, key, step
"""


def text_array(values: Sequence[str]) -> str:
    """A PostgreSQL text[] literal (a parameter, never pasted into SQL)."""
    return "{" + ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values) + "}"


def downsample_query(run_ids: Sequence[str], keys: Sequence[str] | None, width_px: int,
                     x: str) -> tuple[str, tuple[Any, ...]]:
    """The M4 query and its parameters: columns run_id, key, step, ts, num."""
    if x not in ("step", "ts"):
        raise ValueError("x must be 'step' or 'ts'")
    params: tuple[Any, ...] = (text_array(run_ids), max(1, int(width_px)))
    key_filter = hkey_filter = ""
    if keys is not None:
        key_filter, hkey_filter = "AND key = ANY($3::text[])", "AND h.key = ANY($3::text[])"
        params += (text_array(keys),)
    sql = _M4.format(x=f"{x}::double precision", hx=f"h.{x}::double precision",
                     key_filter=key_filter, hkey_filter=hkey_filter)
    return sql, params


def empty() -> pa.Table:
    """No points (the columns of a downsample)."""
    return pa.table({"run_id": pa.array([], pa.string()), "key": pa.array([], pa.string()),
                     "step": pa.array([], pa.int64()), "ts": pa.array([], pa.float64()),
                     "num": pa.array([], pa.float64())})
