"""Benchmarks of shipping artifacts and of the S3 blob store (throwaway local servers, loopback).

    .venv/bin/python bench/bench_team_artifacts.py
    .venv/bin/python bench/bench_team_artifacts.py --versions 100 --files 20 --repeat 3

Needs Debian's ``postgresql`` package and adbc-driver-postgresql; the S3 part needs
boto3 and ``moto[server]`` (skipped, saying so, without them). Measures, as medians of
``--repeat`` rounds, for a local store holding ``--versions`` versions of an artifact with
``--files`` files each (and a run using every version):

1. the first ``nbtrack sync`` of them (versions, files, aliases, lineage; blobs to a
   shared directory);
2. a whole shipping pass with nothing new (what every background pass pays), and its
   artifact part alone (the rows read in the pass's one open of the local store,
   hashed, one query);
3. a full merge again (the state hash forgotten: every version looked up by digest,
   nothing inserted);
4. with an S3 blob store (moto's server): the first sync, and the check that finds
   every blob already uploaded (``missing()``: listing the prefix vs a HEAD each).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "store" / "postgres"))
sys.path.insert(0, str(ROOT / "bench"))

import pg_server
import s3_server
from bench_team_store import new_database
from pg_helpers import pg_execute

import nbtrack as wandb
from nbtrack.store.postgres.ship import Connection, origin_of, ship
from nbtrack.store.postgres.ship_artifacts import read_local, ship_artifacts
from nbtrack.store.store import Store
from nbtrack.sync import sync


def make_local_store(root: Path, versions: int, files: int) -> None:
    """A run logging ``versions`` versions of "dataset" (``files`` distinct files each) and a
    second run using every one of them, through the public API."""
    src = root.parent / f"{root.name}-src"
    src.mkdir(parents=True)
    with wandb.init(project="bench", dir=str(root), live=False) as run:
        for v in range(versions):
            art = wandb.Artifact("dataset", type="dataset", metadata={"v": v})
            for f in range(files):
                path = src / f"part-{f}.txt"
                path.write_text(f"version {v} part {f} " + "x" * 200)
                art.add_file(str(path), name=f"part-{f}.txt")
            run.log_artifact(art, aliases=[f"round-{v % 5}"])
    with wandb.init(project="bench", dir=str(root), live=False) as run:
        for v in range(versions):
            run.use_artifact(f"dataset:v{v}")


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def bench_directory(server: pg_server.PgServer, work: Path, versions: int, files: int, repeat: int) -> None:
    first, idle, part, remerge = [], [], [], []
    for r in range(repeat):
        local = work / f"dir-{r}"
        make_local_store(local, versions, files)
        url = new_database(server, f"artdir{r}")
        blobs = work / f"team-blobs-{r}"
        first.append(timed(partial(sync, dir=local, store=url, team_blobs=blobs)))
        team = Connection(url, blobs)
        store = Store(local)
        idle.append(statistics.median(timed(partial(ship, store, team)) for _ in range(5)))
        with store.read() as con:
            rows = read_local(con)
        artifact_part = partial(ship_artifacts, store, team, origin_of(store), rows)
        part.append(statistics.median(timed(artifact_part) for _ in range(5)))
        pg_execute(url, "DELETE FROM nbtrack_artifacts_state")
        remerge.append(timed(artifact_part))
        team.close()
    what = f"{versions} versions x {files} files (+ {versions} uses)"
    print(f"shared directory: first sync of {what}: median {statistics.median(first):.2f} s")
    print(f"shared directory: a shipping pass with nothing new: median {statistics.median(idle) * 1000:.0f} ms, "
          f"its artifact part: median {statistics.median(part) * 1000:.1f} ms")
    print(f"shared directory: full merge again, nothing to add: median {statistics.median(remerge) * 1000:.0f} ms")


def _each_head(blobs: Any, shas: set[str]) -> set[str]:
    return {s for s in shas if not blobs.has(s)}


def bench_s3(server: pg_server.PgServer, work: Path, versions: int, files: int, repeat: int) -> None:
    reason = s3_server.unavailable_reason()
    if reason is not None:
        print(f"S3: skipped ({reason})")
        return
    import boto3

    from nbtrack.store.postgres.blob_store import open_blob_store

    with s3_server.running() as endpoint:
        os.environ.update(AWS_ENDPOINT_URL=endpoint, AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
                          AWS_DEFAULT_REGION="us-east-1", NBTRACK_CACHE_DIR=str(work / "cache"))
        first, listed, headed = [], [], []
        for r in range(repeat):
            local = work / f"s3-{r}"
            make_local_store(local, versions, files)
            url = new_database(server, f"arts3{r}")
            bucket = f"nbtrack-bench-{r}"
            boto3.client("s3").create_bucket(Bucket=bucket)
            location = f"s3://{bucket}/team"
            first.append(timed(partial(sync, dir=local, store=url, team_blobs=location)))
            blobs = open_blob_store(location)
            shas = {p.name for p in (local / "blobs").rglob("*") if p.is_file() and len(p.name) == 64}
            listed.append(timed(partial(blobs.missing, shas)))
            headed.append(timed(partial(_each_head, blobs, shas)))
        n = len(shas)
        print(f"S3 (moto, loopback): first sync of {versions} versions x {files} files: "
              f"median {statistics.median(first):.2f} s")
        print(f"S3 (moto, loopback): which of {n} blobs are missing: listing the prefix median "
              f"{statistics.median(listed) * 1000:.0f} ms, a HEAD each median {statistics.median(headed) * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--versions", type=int, default=100)
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-s3", action="store_true", help="the shared directory part only")
    args = parser.parse_args()
    reason = pg_server.unavailable_reason()
    if reason is not None:
        sys.exit(f"no throwaway PostgreSQL: {reason}")
    os.environ["NBTRACK_LIVE"] = "0"
    server = pg_server.start()
    try:
        with tempfile.TemporaryDirectory(prefix="nbtrack-bench-art-") as tmp:
            work = Path(tmp)
            os.chdir(work)
            bench_directory(server, work, args.versions, args.files, args.repeat)
            if not args.no_s3:
                bench_s3(server, work, args.versions, args.files, args.repeat)
    finally:
        server.destroy()


if __name__ == "__main__":
    main()
