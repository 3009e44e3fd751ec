"""Benchmarks of the team store on PostgreSQL (a throwaway local server, loopback only).

    .venv/bin/python bench/bench_team_store.py                 # everything
    .venv/bin/python bench/bench_team_store.py --rows 1000000 --repeat 3 --curve-steps 1000000

Needs Debian's ``postgresql`` package (initdb, pg_ctl) and adbc-driver-postgresql.
Measures, as medians of ``--repeat`` rounds:

1. sustained rows/s shipped into PostgreSQL by 1 and by 4 writer processes, each with
   its own local store ("machine") holding one run of ``--rows`` pending history rows
   (the shipping pass: local DuckDB -> Arrow -> binary COPY, chunk by chunk, with the
   curve levels), and by 1 writer without writing curve levels (what they cost);
2. ``nbtrack sync`` of ``--rows`` pending rows as a user runs it (a fresh process, CLI);
3. the runs table over 10,000 runs (25 config + 25 summary keys) read from PostgreSQL,
   next to the same from the local store, and the overlay of 20 runs x ``--curve-steps``
   steps (M4 in DuckDB in the kernel, 1200 px): local, from PostgreSQL's curve levels
   (per-bucket extremes written at ship time, the default), and from every row fetched as
   Arrow (the way before curve levels); cold (a new reader and connection) and warm (the
   same reader again).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "store" / "postgres"))
sys.path.insert(0, str(ROOT / "bench"))

import pg_server

from nbtrack.store import runsql
from nbtrack.store.store import Store


def make_local_store(root: Path, run_id: str, rows: int) -> None:
    """One finished run with ``rows`` history rows (one key per step), written straight into DuckDB."""
    now = time.time()
    with Store(root).write() as con:
        runsql.insert_run(con, run_id, {"id": run_id, "project": "bench", "name": run_id, "state": "finished",
                                        "created_at": now, "finished_at": now + 60, "heartbeat_at": now + 60,
                                        "config": {"lr": 0.001}, "summary": {"loss": 0.1}, "last_step": rows - 1})
        con.execute(f"INSERT INTO history SELECT '{run_id}', s, {now} + s * 0.001, 'loss', "
                    f"exp(-s / 200000.0) + random() * 0.01, NULL, NULL FROM range({rows}) t(s)")


def new_database(server: pg_server.PgServer, name: str) -> str:
    subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(server.port), "-U", "postgres", "-d", "postgres",
                    "-qc", f"CREATE DATABASE {name} OWNER nbtrack"], check=True, stdout=subprocess.DEVNULL)
    return f"postgresql://nbtrack@127.0.0.1:{server.port}/{name}"


def _ship_worker(root: str, url: str, barrier: mp.Barrier, out: mp.Queue,
                 with_levels: bool = True) -> None:
    from nbtrack.store.postgres import levels
    from nbtrack.store.postgres.ship import Connection, ship

    if not with_levels:  # what curve levels cost: the same pass writing none
        compute = levels.compute
        levels.compute = lambda rows: compute(rows.slice(0, 0))

    team = Connection(url)
    barrier.wait()
    start = time.perf_counter()
    result = ship(Store(root), team)
    out.put((start, time.perf_counter(), result.rows))
    team.close()


def bench_writers(server: pg_server.PgServer, work: Path, writers: int, rows: int, round_: int,
                  with_levels: bool = True) -> float:
    url = new_database(server, f"w{writers}_{round_}{'' if with_levels else '_nolevels'}")
    from nbtrack.store.postgres.ship import Connection

    Connection(url).close()  # the schema exists before the clock starts
    roots = []
    for i in range(writers):
        root = work / f"w{writers}_{round_}_{i}{'' if with_levels else '_nolevels'}"
        make_local_store(root, f"m{i}", rows)
        roots.append(str(root))
    ctx = mp.get_context("spawn")
    barrier, out = ctx.Barrier(writers), ctx.Queue()
    procs = [ctx.Process(target=_ship_worker, args=(r, url, barrier, out, with_levels)) for r in roots]
    for p in procs:
        p.start()
    results = [out.get(timeout=600) for _ in procs]
    for p in procs:
        p.join()
    shipped = sum(r[2] for r in results)
    assert shipped == writers * rows, (shipped, writers * rows)
    wall = max(r[1] for r in results) - min(r[0] for r in results)
    return shipped / wall


def bench_sync_cli(server: pg_server.PgServer, work: Path, rows: int, round_: int) -> float:
    url = new_database(server, f"sync_{round_}")
    root = work / f"sync_{round_}"
    make_local_store(root, "s0", rows)
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "nbtrack.cli", "sync", "--dir", str(root), "--store", url],
                         capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    elapsed = time.perf_counter() - start
    assert out.returncode == 0 and f"{rows:,} history row(s)" in out.stdout, out.stdout + out.stderr
    return elapsed


def bench_table(server: pg_server.PgServer, work: Path, curve_steps: int, repeat: int,
                skip_every_row: bool = False) -> None:
    import bench_table

    from nbtrack.runs_table.queries import curves, load_table
    from nbtrack.store.postgres.reader import TeamReader
    from nbtrack.store.postgres.team_store import TeamStore
    from nbtrack.store.reader import StoreReader
    from nbtrack.sync import sync

    bench_table.STEPS = curve_steps
    root = work / "table"
    bench_table.seed(root)
    url = new_database(server, "runs_table")
    start = time.perf_counter()
    result = sync(dir=root, store=url)
    took = time.perf_counter() - start
    print(f"sync of {result.runs:,} runs with {result.rows:,} history rows: {took:.1f} s "
          f"({result.rows / took:,.0f} rows/s)")
    ids = [f"h{i:02d}" for i in range(bench_table.CURVE_RUNS)]
    readers: list[tuple[str, Callable[[], Any]]] = [
        ("local", lambda: StoreReader(Store(root))),
        ("postgres, curve levels", lambda: TeamReader(TeamStore(url))),
    ]
    if not skip_every_row:
        readers.append(("postgres, every row", lambda: TeamReader(TeamStore(url, use_levels=False))))
    for label, make in readers:
        loads, cold, warm = [], [], []
        # every row of 20 x 1M steps takes ~30 s a read: one round, as a reference
        for _ in range(1 if label.endswith("every row") else repeat):
            reader = make()  # cold: a new reader (a new connection for the team store)
            t = time.perf_counter()
            series, _ = curves(reader, ids, "loss", 1200)
            cold.append(time.perf_counter() - t)
            t = time.perf_counter()
            series, _ = curves(reader, ids, "loss", 1200)
            warm.append(time.perf_counter() - t)
            t = time.perf_counter()
            data = load_table(reader, "bench")
            loads.append(time.perf_counter() - t)
            close = getattr(reader.store, "close", None)
            if close is not None:
                close()
        assert len(data) == bench_table.N_RUNS and len(series) == len(ids)
        assert all(s["n"] > 1200 for s in series)
        print(f"{label:24s}: runs table 10,000 runs x {len(data.columns)} columns: median "
              f"{statistics.median(loads) * 1000:.0f} ms; overlay {len(ids)} runs x {curve_steps:,} steps "
              f"(M4, 1200 px): cold median {statistics.median(cold) * 1000:.0f} ms, warm median "
              f"{statistics.median(warm) * 1000:.0f} ms ({series[0]['n']:,} points a run)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="pending history rows per writer")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--curve-steps", type=int, default=1_000_000)
    parser.add_argument("--skip-table", action="store_true")
    parser.add_argument("--skip-every-row", action="store_true",
                        help="do not time the overlay read without curve levels (~30 s a read, one round)")
    parser.add_argument("--skip-writers", action="store_true", help="only the runs table and the overlays")
    args = parser.parse_args()
    reason = pg_server.unavailable_reason()
    if reason:
        sys.exit(f"bench_team_store: {reason}")
    try:
        print(f"load average at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    except OSError:
        pass
    server = pg_server.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            for writers, with_levels in (() if args.skip_writers else ((1, True), (1, False), (4, True))):
                rates = [bench_writers(server, work, writers, args.rows, r, with_levels) for r in range(args.repeat)]
                print(f"{writers} writer(s) x {args.rows:,} rows into PostgreSQL"
                      f"{'' if with_levels else ' (no curve levels written)'}: median {statistics.median(rates):,.0f} "
                      f"rows/s (rounds: {', '.join(f'{r:,.0f}' for r in rates)})")
            times = [] if args.skip_writers else [bench_sync_cli(server, work, args.rows, r) for r in range(args.repeat)]
            if times:
                print(f"`nbtrack sync` of {args.rows:,} pending rows (fresh process): median {statistics.median(times):.2f} s "
                      f"(rounds: {', '.join(f'{t:.2f}' for t in times)})")
            if not args.skip_table:
                bench_table(server, work, args.curve_steps, args.repeat, args.skip_every_row)
    finally:
        server.destroy()


if __name__ == "__main__":
    main()
