"""M4 downsampling in SQL (Jugel et al., VLDB 2014), per (run_id, key) series.

Rows are binned into ``width_px`` pixel columns over the series' own x range; in each
column the rows of min(x), max(x), argmin(num) and argmax(num) survive, so every
extreme and every first/last point per column is kept. Series with at most
``4 * width_px`` points are returned whole. The four points are aggregated as structs
(``arg_min({step, ts, num}, x)``) so no join back to the history is needed.
"""

from __future__ import annotations

from typing import Any, Sequence

import pyarrow as pa

from .sqlutil import fetch_table

_SQL = """
WITH base AS (
  SELECT run_id, key, step, ts, num, {x} AS x FROM history
  WHERE run_id IN (SELECT unnest($runs::VARCHAR[])) {key_filter} AND num IS NOT NULL
),
stats AS (
  SELECT run_id, key, count(*) AS n, min(x) AS lo, max(x) AS hi FROM base GROUP BY run_id, key
),
binned AS (
  SELECT b.run_id, b.key, b.step, b.ts, b.num, b.x,
         CASE WHEN s.n <= 4 * $w OR s.hi = s.lo THEN -1 - b.step
              ELSE least(floor((b.x - s.lo) * $w / (s.hi - s.lo)), $w - 1) END AS bin
  FROM base b JOIN stats s USING (run_id, key)
),
m4 AS (
  SELECT run_id, key, [
    arg_min({{'step': step, 'ts': ts, 'num': num}}, x),
    arg_max({{'step': step, 'ts': ts, 'num': num}}, x),
    arg_min({{'step': step, 'ts': ts, 'num': num}}, num),
    arg_max({{'step': step, 'ts': ts, 'num': num}}, num)] AS pts
  FROM binned GROUP BY run_id, key, bin
),
flat AS (SELECT DISTINCT run_id, key, unnest(pts, recursive := true) FROM m4)
SELECT run_id, key, step, ts, num FROM flat ORDER BY run_id, key, step
"""


def downsample_sql(
    con: Any, run_ids: Sequence[str], keys: Sequence[str] | None = None,
    width_px: int = 800, x: str = "step",
) -> pa.Table:
    """M4-downsample numeric history: columns run_id, key, step, ts, num."""
    if x not in ("step", "ts"):
        raise ValueError("x must be 'step' or 'ts'")
    params: dict[str, Any] = {"runs": list(run_ids), "w": max(1, int(width_px))}
    key_filter = ""
    if keys is not None:
        key_filter = "AND key IN (SELECT unnest($keys::VARCHAR[]))"
        params["keys"] = list(keys)
    sql = _SQL.format(x=f"CAST({x} AS DOUBLE)", key_filter=key_filter)
    return fetch_table(con, sql, params)
