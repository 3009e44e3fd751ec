"""Curve levels in the team store: long curves read from per-bucket extremes written at ship time."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from conftest import pg_rows

import nbtrack as wandb
from nbtrack.store.postgres import levels
from nbtrack.store.postgres.connect import connect
from nbtrack.store.postgres.reader import TeamReader
from nbtrack.store.postgres.schema import MIGRATIONS, ensure_schema
from nbtrack.store.postgres.ship import Connection, ship
from nbtrack.store.postgres.team_store import TeamStore
from nbtrack.store.reader import StoreReader
from nbtrack.store.sqlutil import fetch_table
from nbtrack.store.store import Store
from nbtrack.sync import sync

STEPS = 20_000


def _log_wave(local: Path) -> str:
    run = wandb.init(project="team", dir=str(local))
    for i in range(STEPS):
        row: dict[str, Any] = {"wave": math.sin(i / 300.0) + i * 1e-7}
        if i < 50:
            row["short"] = float(i)
        wandb.log(row)
    wandb.finish()
    return run.id


def _local_history(local: Path) -> pa.Table:
    with Store(local).read() as con:
        return fetch_table(con, "SELECT run_id, step, ts, key, num FROM history")


def _bucket_rows(table: pa.Table) -> list[tuple[Any, ...]]:
    cols = ["run_id", "key", "width", "bucket", "n"] + [f"{p}_{c}" for p in ("f", "l", "lo", "hi")
                                                        for c in ("step", "ts", "num")]
    return sorted(zip(*[table.column(c).to_pylist() for c in cols], strict=True))


def _team_buckets(url: str) -> list[tuple[Any, ...]]:
    rows = pg_rows(url, "SELECT run_id, key, width, bucket, n, f_step, f_ts, f_num, l_step, l_ts, l_num, "
                        "lo_step, lo_ts, lo_num, hi_step, hi_ts, hi_num FROM history_m4")
    return sorted(tuple(r) for r in rows)


def _extremes_per_column(table: pa.Table, key: str, width_px: int) -> dict[int, tuple[float, float]]:
    """(min, max) of the values in each pixel column, binned as the M4 bins (step range 0..STEPS-1)."""
    out: dict[int, tuple[float, float]] = {}
    for k, step, num in zip(*[table.column(c).to_pylist() for c in ("key", "step", "num")], strict=True):
        if k != key:
            continue
        col = min(int(step * width_px / (STEPS - 1)), width_px - 1)
        lo, hi = out.get(col, (num, num))
        out[col] = (min(lo, num), max(hi, num))
    return out


def test_a_long_curve_is_read_from_its_levels_with_every_pixel_columns_extremes(pg_url, tmp_path, monkeypatch):
    run_id = _log_wave(tmp_path / "local")
    sync(dir=tmp_path / "local", store=pg_url)
    fetched: list[int] = []
    original = TeamStore._fetch

    def counting(self: TeamStore, sql: str, params: tuple[Any, ...] = ()) -> pa.Table:
        table = original(self, sql, params)
        if "history" in sql:
            fetched.append(table.num_rows)
        return table

    monkeypatch.setattr(TeamStore, "_fetch", counting)
    local = StoreReader(Store(tmp_path / "local")).downsample([run_id], width_px=200)
    team = TeamReader(TeamStore(pg_url)).downsample([run_id], width_px=200)
    # 20,000 steps at 200 px: buckets of 16 steps, ~4 points each, not the rows
    assert 0 < sum(fetched) < STEPS / 3
    raw = _local_history(tmp_path / "local")
    real = set(zip(*[raw.column(c).to_pylist() for c in ("key", "step", "num")], strict=True))
    points = list(zip(*[team.column(c).to_pylist() for c in ("key", "step", "num")], strict=True))
    assert set(points) <= real  # every point drawn was logged
    wave = sorted(p for p in points if p[0] == "wave")
    local_wave = sorted(p for p in zip(*[local.column(c).to_pylist() for c in ("key", "step", "num")],
                                       strict=True) if p[0] == "wave")
    # the first and the last point, the lowest and the highest: exact
    assert (wave[0], wave[-1]) == (local_wave[0], local_wave[-1])
    assert (min(p[2] for p in wave), max(p[2] for p in wave)) == \
        (min(p[2] for p in local_wave), max(p[2] for p in local_wave))
    # each pixel column's range: off at most by what the curve moves in one 16-step bucket
    # (a bucket cut by a column edge lends its first or last point to the neighbour)
    team_cols, local_cols = _extremes_per_column(team, "wave", 200), _extremes_per_column(local, "wave", 200)
    assert team_cols.keys() == local_cols.keys()
    one_bucket = 16 / 300.0 + 1e-6  # |d sin(i / 300) / di| <= 1 / 300
    for col, (lo, hi) in local_cols.items():
        assert abs(team_cols[col][0] - lo) <= one_bucket and abs(team_cols[col][1] - hi) <= one_bucket, col
    assert abs(len(wave) - len(local_wave)) <= len(local_wave) // 10
    # a short series is read whole: the local M4's points exactly
    assert sorted(p for p in points if p[0] == "short") == [("short", i, float(i)) for i in range(50)]


def test_levels_merge_buckets_cut_by_chunks_and_never_count_twice(pg_url, tmp_path):
    _log_wave(tmp_path / "local")
    store, team = Store(tmp_path / "local"), Connection(pg_url)

    def interrupt(result: Any) -> None:
        raise KeyboardInterrupt

    # chunks of 777 rows end inside buckets; the interrupted pass and a retry merge them
    with pytest.raises(KeyboardInterrupt):
        ship(store, team, chunk_rows=777, on_chunk=interrupt)
    ship(store, team, chunk_rows=777)
    again = ship(store, team, chunk_rows=777)
    team.close()
    assert again.rows == 0
    assert _team_buckets(pg_url) == _bucket_rows(levels.compute(_local_history(tmp_path / "local")))


def test_the_migration_computes_the_levels_of_rows_shipped_before(pg_url, tmp_path):
    _log_wave(tmp_path / "local")
    rows = _local_history(tmp_path / "local")
    con = connect(pg_url)  # a database an older nbtrack (schema v1) filled
    ensure_schema(con, MIGRATIONS[:1])
    cur = con.cursor()
    cur.adbc_ingest("history", rows.append_column("text", pa.nulls(rows.num_rows, pa.string()))
                    .append_column("json", pa.nulls(rows.num_rows, pa.string())), mode="append")
    con.commit()
    cur.close()
    con.close()
    assert pg_rows(pg_url, "SELECT to_regclass('history_m4') IS NULL") == [(True,)]
    Connection(pg_url).close()  # this client migrates
    assert _team_buckets(pg_url) == _bucket_rows(levels.compute(rows))


def test_plan_reads_short_series_whole_and_long_ones_at_the_coarsest_fine_enough_level():
    stats = pa.table({"run_id": ["a", "b", "c", "d"], "key": ["k"] * 4, "n": [3000, 1_000_000, 100_000, 20_000],
                      "lo": [0, 0, 0, 0], "hi": [2999, 999_999, 99_999, 19_999]})
    plan = levels.plan(stats, 800)
    # a: <= 4 points per pixel column; d: 20,000 steps / 16 < 2 buckets per column
    assert plan.raw == [("a", "k"), ("d", "k")]
    # 1M steps: 128-step buckets (7,812 >= 1,600), not 1024 (976); 100k: 16-step buckets
    assert plan.levels == [("b", "k", 128), ("c", "k", 16)]
