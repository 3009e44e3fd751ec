"""One writer batch committed atomically: history rows, run update, file records."""

from __future__ import annotations

from typing import Any, Sequence

import pyarrow as pa

from . import runsql
from .records import FileRecord
from .store import Store


def commit_batch(
    store: Store, run_id: str, tables: Sequence[pa.Table], update: dict[str, Any],
    files: Sequence[FileRecord], timeout: float | None = 10.0,
) -> None:
    """Insert history tables, upsert the run and add file records in ONE transaction.

    Takes the store's write lock for the duration. Any failure rolls the transaction
    back, so a batch is either entirely committed or not at all (retry is safe).
    """
    with store.write(timeout=timeout) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            if tables:
                table = pa.concat_tables(tables) if len(tables) > 1 else tables[0]
                con.register("_nbtrack_batch", table)
                con.execute("INSERT INTO history SELECT ?, step, ts, key, num, text, json "
                            "FROM _nbtrack_batch", [run_id])
                con.unregister("_nbtrack_batch")
            runsql.upsert_run(con, run_id, update)
            if files:
                con.register("_nbtrack_files", pa.Table.from_pylist(list(files)))
                con.execute("INSERT INTO files SELECT run_id, path, sha256, size, kind, "
                            "created_at FROM _nbtrack_files")
                con.unregister("_nbtrack_files")
            con.execute("COMMIT")
        except BaseException:
            try:
                con.execute("ROLLBACK")
            except Exception:  # noqa: BLE001 - the connection may be gone; close() rolls back
                pass
            raise
