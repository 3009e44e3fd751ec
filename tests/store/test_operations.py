"""StoreWriter pending operations: applied inside the batch's transaction, retried with it."""

from __future__ import annotations

import warnings

from store_records import make_run

from nbtrack.store.errors import NbtrackStorageWarning
from nbtrack.store.live_writers import open_run
from nbtrack.store.reader import StoreReader
from nbtrack.store.records import history_row


def test_operation_runs_in_the_batch_transaction(store):
    results = []
    w = open_run(store, make_run("r1"), flush_interval=0.1)
    w.rows.append(history_row(0, 1.0, {"a": 1.0}))

    def op(con):
        # sees the batch's own uncommitted rows: same transaction
        return con.execute("SELECT count(*) FROM history WHERE run_id = 'r1'").fetchall()[0][0]

    w.add_operation(op, on_commit=results.append)
    assert w.flush(10)
    w.close(wait=True, timeout=10)
    assert results == [1]


def test_operation_retried_with_the_batch_on_storage_trouble(store, failing_store):
    done = []
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        w = open_run(store, make_run("r1"), flush_interval=0.05)
        w.add_operation(lambda con: con.execute("CREATE TABLE IF NOT EXISTS t (x INT)") and 7, on_commit=done.append)
        assert not w.flush(timeout=0.5)
        assert done == []
        failing_store.broken = False
        assert w.flush(timeout=10)
        w.close(wait=True, timeout=10)
    assert done == [7]
    assert StoreReader(store).query("SELECT count(*) AS n FROM t").to_pylist() == [{"n": 0}]


def test_broken_operation_is_dropped_and_the_run_goes_on(store):
    errors, calls = [], []

    def bad(con):
        calls.append(1)
        con.execute("INSERT INTO history (run_id) VALUES ('partial')")
        raise KeyError("bug")

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        w = open_run(store, make_run("r1"), flush_interval=0.05)
        w.rows.append(history_row(0, 1.0, {"a": 1.0}))
        w.add_operation(bad, on_error=errors.append)
        assert w.flush(timeout=20)
        w.close(wait=True, timeout=10)
    assert len(calls) == 3 and isinstance(errors[0], KeyError)
    assert StoreReader(store).query("SELECT run_id FROM history").to_pylist() == [{"run_id": "r1"}]
    msgs = [str(c.message) for c in caught if issubclass(c.category, NbtrackStorageWarning)]
    assert any("dropped a pending operation" in m for m in msgs)
