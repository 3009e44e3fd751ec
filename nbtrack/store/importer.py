"""Write a whole run that comes from elsewhere (an importer) into a store, in one transaction.

Used by ``nbtrack/transfer/``: the run record, its long-format history (an Arrow table
with the columns of ``convert.SCHEMA``) and its files (already in the blobs) land
together under the exclusive lock, or not at all.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from . import runsql
from .records import RunRecord
from .store import Store


class RunExists(ValueError):
    """The store already holds a run with that id."""


def run_exists(store: Store, run_id: str) -> bool:
    """True if the store has a run with this id."""
    with store.read() as con:
        return bool(con.execute("SELECT count(*) FROM runs WHERE id = ?", [run_id]).fetchall()[0][0])


def import_run(store: Store, record: RunRecord, history: pa.Table,
               files: Sequence[tuple[str, str, int, str]] = (), replace: bool = False) -> None:
    """Insert ``record``, its ``history`` and ``files`` ((path, sha256, size, kind)) at once.

    Raises :class:`RunExists` when the id is taken, unless ``replace`` (then the old
    run's rows are deleted first, in the same transaction).
    """
    run_id = record["id"]
    table = history.add_column(0, "run_id", pa.array([run_id] * history.num_rows, type=pa.string()))
    now = time.time()
    with store.write() as con:
        con.execute("BEGIN TRANSACTION")
        try:
            exists = con.execute("SELECT count(*) FROM runs WHERE id = ?", [run_id]).fetchall()[0][0]
            if exists and not replace:
                raise RunExists(f"run {run_id!r} is already in {store.root}; pass replace=True (--replace) to import it again")
            for tbl in ("runs", "history", "files"):
                col = "id" if tbl == "runs" else "run_id"
                con.execute(f"DELETE FROM {tbl} WHERE {col} = ?", [run_id])
            runsql.upsert_run(con, run_id, record)
            con.register("_nbtrack_import", table)
            try:
                con.execute("INSERT INTO history (run_id, step, ts, key, num, text, json) "
                            "SELECT run_id, step, ts, key, num, text, json FROM _nbtrack_import")
            finally:
                con.unregister("_nbtrack_import")
            for path, sha, size, kind in files:
                con.execute("INSERT INTO files VALUES (?, ?, ?, ?, ?, ?)", [run_id, path, sha, size, kind, now])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise


__all__: list[Any] = ["RunExists", "import_run", "run_exists"]
