"""One writer batch committed atomically: history rows, run update, file records and
pending operations (functions of the connection, e.g. an artifact version row)."""

from __future__ import annotations

from typing import Any, Callable, Sequence

import pyarrow as pa

from . import runsql
from .records import FileRecord
from .store import Store


def commit_batch(
    store: Store, run_id: str, tables: Sequence[pa.Table], update: dict[str, Any],
    files: Sequence[FileRecord], timeout: float | None = 10.0,
    operations: Sequence[Callable[[Any], Any]] = (),
) -> list[Any]:
    """Insert history tables, upsert the run, add file records and apply ``operations``
    (in order, after the rest) in ONE transaction; return the operations' results.

    Takes the store's write lock for the duration. Any failure rolls the transaction
    back, so a batch is either entirely committed or not at all (retry is safe). An
    operation that raises is reported as :class:`OperationError` (its index, the cause).
    """
    results: list[Any] = []
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
            for index, apply in enumerate(operations):
                try:
                    results.append(apply(con))
                except Exception as exc:
                    raise OperationError(index, exc) from exc
            con.execute("COMMIT")
        except BaseException:
            try:
                con.execute("ROLLBACK")
            except Exception:  # noqa: BLE001 - the connection may be gone; close() rolls back
                pass
            raise
    return results


class OperationError(Exception):
    """A pending operation raised inside the batch's transaction (rolled back)."""

    def __init__(self, index: int, cause: BaseException) -> None:
        self.index = index
        self.cause = cause
        super().__init__(f"{type(cause).__name__}: {cause}")
