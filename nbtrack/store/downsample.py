"""M4 downsampling in SQL (Jugel et al., VLDB 2014), per (run_id, key) series.

Rows are binned into ``width_px`` pixel columns over the series' own x range; in each
column the rows of min(x), max(x), argmin(num) and argmax(num) survive, so every
extreme and every first/last point per column is kept. Series with at most
``4 * width_px`` points are returned whole. A first query finds each series' size and
x range; the second bins and keeps the four points per column with scalar arg_min /
arg_max aggregates, so no join back to the history is needed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from .sqlutil import fetch_table

_STATS = """
SELECT run_id, key, count(*) AS n, min({x}) AS lo, max({x}) AS hi FROM history
WHERE run_id IN (SELECT unnest($runs::VARCHAR[])) {key_filter} AND num IS NOT NULL
GROUP BY run_id, key
"""

# Scalar aggregates (arg_min(num, x), ...) rather than structs: about 1.5x faster on
# 20 runs x 1M steps; the per-series range comes from _STATS, joined as a tiny table.
_M4 = """
WITH binned AS (
  SELECT h.run_id, h.key, h.step, h.ts, h.num, {hx} AS x,
         CASE WHEN s.n <= 4 * $w OR s.hi = s.lo THEN -1 - h.step
              ELSE least(floor(({hx} - s.lo) * $w / (s.hi - s.lo)), $w - 1) END AS bin
  FROM history h JOIN _nbtrack_series s ON h.run_id = s.run_id AND h.key = s.key
  WHERE h.num IS NOT NULL
),
m4 AS (
  SELECT run_id, key,
    arg_min(step, x) AS s0, arg_min(ts, x) AS t0, arg_min(num, x) AS y0,
    arg_max(step, x) AS s1, arg_max(ts, x) AS t1, arg_max(num, x) AS y1,
    arg_min(step, num) AS s2, arg_min(ts, num) AS t2, min(num) AS y2,
    arg_max(step, num) AS s3, arg_max(ts, num) AS t3, max(num) AS y3
  FROM binned GROUP BY run_id, key, bin
)
SELECT DISTINCT run_id, key, step, ts, num FROM (
  SELECT run_id, key, s0 AS step, t0 AS ts, y0 AS num FROM m4 UNION ALL
  SELECT run_id, key, s1, t1, y1 FROM m4 UNION ALL
  SELECT run_id, key, s2, t2, y2 FROM m4 UNION ALL
  SELECT run_id, key, s3, t3, y3 FROM m4)
ORDER BY run_id, key, step
"""


def downsample_sql(
    con: Any, run_ids: Sequence[str], keys: Sequence[str] | None = None,
    width_px: int = 800, x: str = "step",
) -> pa.Table:
    """M4-downsample numeric history: columns run_id, key, step, ts, num."""
    if x not in ("step", "ts"):
        raise ValueError("x must be 'step' or 'ts'")
    params: dict[str, Any] = {"runs": list(run_ids)}
    key_filter = ""
    if keys is not None:
        key_filter = "AND key IN (SELECT unnest($keys::VARCHAR[]))"
        params["keys"] = list(keys)
    series = fetch_table(con, _STATS.format(x=f"CAST({x} AS DOUBLE)", key_filter=key_filter), params)
    con.register("_nbtrack_series", series)
    try:
        return fetch_table(con, _M4.format(hx=f"CAST(h.{x} AS DOUBLE)"), {"w": max(1, int(width_px))})
    finally:
        con.unregister("_nbtrack_series")
