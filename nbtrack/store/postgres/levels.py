"""Curve levels: per-bucket extremes of every numeric series, written when rows are shipped.

Overlaying 20 runs x 1M steps from PostgreSQL means fetching 20M rows (~30 s on loopback)
unless the server holds a smaller picture of each curve. ``history_m4`` holds one row per
(run, key, width, bucket of ``width`` steps) with the bucket's first and last point (by
step) and its lowest and highest value (each with its step and time), for the widths in
``WIDTHS``. The shipper computes them with DuckDB from the rows of each chunk it ships
and merges them into PostgreSQL in the same transaction as the rows (a bucket cut by a
chunk boundary is merged: first/last/min/max of the two halves), so they are exactly as
idempotent as the history. A migration backfills them for rows shipped before.

A chart of ``width_px`` pixel columns reads, per series, the coarsest level that still
has at least ``BUCKETS_PER_PX`` buckets per pixel column, and the local M4 then runs over
those points: every point drawn is a logged point, the series' first, last, lowest and
highest points are exact, and a pixel column's points are off by at most one bucket (a
bucket cut by the column's edge lends its first or last point to the neighbour; a bucket
is at most half a pixel wide). Short series (``<= 4 * width_px`` points or spans too short for the finest level)
are read whole, so their M4 is the local one, point for point.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from ..sqlutil import fetch_table
from ..store import connect

#: bucket widths in steps, finest first (each 8x the one before)
WIDTHS: tuple[int, ...] = (16, 128, 1024, 8192, 65536)
#: a level is used only with at least this many buckets per pixel column
BUCKETS_PER_PX = 2

_POINTS = ("f", "l", "lo", "hi")
_COLUMNS = ["run_id", "key", "width", "bucket", "n"] + [f"{p}_{c}" for p in _POINTS for c in ("step", "ts", "num")]

DDL = (
    "CREATE TABLE IF NOT EXISTS history_m4 (run_id text NOT NULL, key text NOT NULL, width integer NOT NULL, "
    "bucket bigint NOT NULL, n bigint NOT NULL, "
    + ", ".join(f"{p}_step bigint, {p}_ts double precision, {p}_num double precision" for p in _POINTS)
    + ", PRIMARY KEY (run_id, width, key, bucket))"
)

# the finest level from the shipped rows (DuckDB, in the kernel) ...
_FINEST = """
SELECT run_id, key, {w}::INTEGER AS width, floor(step / {w})::BIGINT AS bucket, count(*) AS n,
  min(step) AS f_step, arg_min(ts, step) AS f_ts, arg_min(num, step) AS f_num,
  max(step) AS l_step, arg_max(ts, step) AS l_ts, arg_max(num, step) AS l_num,
  arg_min(step, num) AS lo_step, arg_min(ts, num) AS lo_ts, min(num) AS lo_num,
  arg_max(step, num) AS hi_step, arg_max(ts, num) AS hi_ts, max(num) AS hi_num
FROM _nbtrack_chunk WHERE num IS NOT NULL AND step IS NOT NULL
GROUP BY run_id, key, bucket
"""
# ... and each coarser one from the one below it (1/8 of the rows each time)
_COARSER = """
SELECT run_id, key, {w}::INTEGER AS width, floor(bucket * {below} / {w})::BIGINT AS bucket, sum(n)::BIGINT AS n,
  min(f_step) AS f_step, arg_min(f_ts, f_step) AS f_ts, arg_min(f_num, f_step) AS f_num,
  max(l_step) AS l_step, arg_max(l_ts, l_step) AS l_ts, arg_max(l_num, l_step) AS l_num,
  arg_min(lo_step, lo_num) AS lo_step, arg_min(lo_ts, lo_num) AS lo_ts, min(lo_num) AS lo_num,
  arg_max(hi_step, hi_num) AS hi_step, arg_max(hi_ts, hi_num) AS hi_ts, max(hi_num) AS hi_num
FROM {source} GROUP BY run_id, key, 4
"""


def _pick(cond: str, prefix: str) -> str:
    return ", ".join(f"{prefix}_{c} = CASE WHEN {cond} THEN EXCLUDED.{prefix}_{c} ELSE t.{prefix}_{c} END"
                     for c in ("step", "ts", "num"))


#: merge a staged chunk's levels into ``history_m4`` (PostgreSQL; the SET side reads the old row)
MERGE = (
    f"INSERT INTO history_m4 AS t ({', '.join(_COLUMNS)}) SELECT {', '.join(_COLUMNS)} FROM _nbtrack_m4_in "
    "ON CONFLICT (run_id, width, key, bucket) DO UPDATE SET n = t.n + EXCLUDED.n, "
    + ", ".join([_pick("EXCLUDED.f_step < t.f_step", "f"), _pick("EXCLUDED.l_step > t.l_step", "l"),
                 _pick("EXCLUDED.lo_num < t.lo_num", "lo"), _pick("EXCLUDED.hi_num > t.hi_num", "hi")])
)

#: the levels of rows already in ``history`` (the migration that adds the table)
BACKFILL = (
    f"INSERT INTO history_m4 ({', '.join(_COLUMNS)}) "
    "SELECT run_id, key, width, bucket, n, f[1]::bigint, f[2], f[3], l[1]::bigint, l[2], l[3], "
    "lo[2]::bigint, lo[3], lo[1], hi[2]::bigint, hi[3], hi[1] FROM ("
    " SELECT run_id, key, w AS width, floor(step::double precision / w)::bigint AS bucket, count(*) AS n,"
    " min(ARRAY[step::double precision, ts, num]) AS f, max(ARRAY[step::double precision, ts, num]) AS l,"
    " min(ARRAY[num, step::double precision, ts]) AS lo, max(ARRAY[num, step::double precision, ts]) AS hi"
    f" FROM history CROSS JOIN unnest(ARRAY[{', '.join(str(w) for w in WIDTHS)}]) AS w"
    " WHERE num IS NOT NULL AND step IS NOT NULL GROUP BY run_id, key, w, bucket) q"
)

#: each series' size and step range, from the coarsest level (a few rows per series)
STATS = (
    "SELECT run_id, key, sum(n)::bigint AS n, min(f_step) AS lo, max(l_step) AS hi FROM history_m4 "
    f"WHERE width = {WIDTHS[-1]} AND run_id = ANY($1::text[]) {{key_filter}} GROUP BY run_id, key"
)

#: the rows of whole series
RAW = ("SELECT h.run_id, h.step, h.ts, h.key, h.num FROM history h "
       "JOIN unnest($1::text[], $2::text[]) AS s(run_id, key) ON h.run_id = s.run_id AND h.key = s.key "
       "WHERE h.num IS NOT NULL")

#: the buckets of series read at a level
BUCKETS = (f"SELECT m.run_id, m.key, {', '.join(c for c in _COLUMNS[5:])} FROM history_m4 m "
           "JOIN unnest($1::text[], $2::text[], $3::integer[]) AS s(run_id, key, width) "
           "ON m.run_id = s.run_id AND m.width = s.width AND m.key = s.key")

#: bucket rows -> points (DuckDB, in the kernel): what the local M4 reads as ``history``
POINTS = ("SELECT DISTINCT run_id, step, ts, key, num FROM ("
          + " UNION ALL ".join(f"SELECT run_id, {p}_step AS step, {p}_ts AS ts, key, {p}_num AS num FROM _nbtrack_buckets"
                               for p in _POINTS)
          + ")")


def compute(rows: pa.Table) -> pa.Table:
    """The levels of a chunk of history rows (columns as ``history_m4``)."""
    con = connect(":memory:")
    try:
        con.register("_nbtrack_chunk", rows.select(["run_id", "step", "ts", "key", "num"]))
        con.execute(f"CREATE TEMP TABLE _l{WIDTHS[0]} AS {_FINEST.format(w=WIDTHS[0])}")
        for below, width in zip(WIDTHS, WIDTHS[1:]):
            con.execute(f"CREATE TEMP TABLE _l{width} AS "
                        + _COARSER.format(w=width, below=below, source=f"_l{below}"))
        return fetch_table(con, " UNION ALL ".join(f"SELECT * FROM _l{w}" for w in WIDTHS))
    finally:
        con.close()


@dataclass(frozen=True)
class Plan:
    """How each series of a chart is read: whole (``raw``) or at a level (``levels``)."""

    raw: list[tuple[str, str]]
    levels: list[tuple[str, str, int]]


def plan(stats: pa.Table, width_px: int) -> Plan:
    """Per series (rows of ``STATS``): the coarsest level with enough buckets per pixel
    column, or the whole series when it is short or no level is fine enough."""
    raw: list[tuple[str, str]] = []
    levels: list[tuple[str, str, int]] = []
    px = max(1, int(width_px))
    for run_id, key, n, lo, hi in zip(*(stats.column(c).to_pylist() for c in ("run_id", "key", "n", "lo", "hi")),
                                      strict=True):
        span = (hi - lo + 1) if lo is not None and hi is not None else 0
        fitting = [w for w in WIDTHS if span / w >= BUCKETS_PER_PX * px]
        if n <= 4 * px or not fitting:
            raw.append((run_id, key))
        else:
            levels.append((run_id, key, fitting[-1]))
    return Plan(raw, levels)


def key_filter(keys: Sequence[str] | None, param: int) -> str:
    """The ``STATS`` key condition (``keys`` as parameter ``$param``)."""
    return "" if keys is None else f"AND key = ANY(${param}::text[])"


def unzip(pairs: Sequence[tuple[Any, ...]], n: int) -> list[list[Any]]:
    """Columns of a list of tuples (``n`` columns, also when the list is empty)."""
    return [list(col) for col in zip(*pairs, strict=True)] if pairs else [[] for _ in range(n)]
