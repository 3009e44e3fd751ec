"""A commit that failed for something other than storage trouble: find the bad item.

The batch is committed run by run, then part by part (the run's record, its history, each
file, each pending operation); the part that fails is dropped with a warning naming it and
the rest is stored. If nothing at all can be stored, that is not one bad item but the store
or nbtrack itself: everything is kept and retried as for storage trouble.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .run_writer import RunWriter, TakenBatch
from .sink import BatchOutcome, OperationError, RunBatch

if TYPE_CHECKING:
    from .sink import Sink

_log = logging.getLogger(__name__)

#: an operation that raises (other than storage trouble) this many times in a row is dropped
MAX_OP_FAILURES = 3


def storage_trouble(exc: BaseException) -> bool:
    """True for trouble with the storage itself (retried), not with one item."""
    import duckdb

    if isinstance(exc, OperationError):
        return storage_trouble(exc.cause)
    return isinstance(exc, (OSError, duckdb.IOException))



class BadItemIsolation:
    """The part of the store writer that isolates bad items (a mixin of StoreWriter)."""

    sink: Sink
    lock_timeout: float

    def _committed(self, taken: list[tuple[RunWriter, TakenBatch]], outcomes: list[BatchOutcome]) -> None:
        raise NotImplementedError

    def _on_trouble(self, exc: BaseException) -> None:
        raise NotImplementedError

    def warn_item(self, run_id: str, kind: str, msg: str) -> None:
        raise NotImplementedError

    def _isolate(self, taken: list[tuple[RunWriter, TakenBatch]], exc: BaseException) -> bool:
        """A commit failed for something other than storage trouble: find the bad item.

        A failing operation is counted (dropped after a few failures) and the batch is
        retried at once. Otherwise each run is committed alone, and a run that still fails
        part by part (its record, its history, its files), dropping the part that fails.
        """
        if isinstance(exc, OperationError):
            for r, t in taken:
                if r.run_id == exc.run_id or t.batch.run_id == exc.run_id:
                    r.drop_operation(t, exc.index, exc.cause, MAX_OP_FAILURES)
            for r, t in taken:
                r.restore(t)
            return False
        if len(taken) > 1:
            for r, t in taken:
                try:
                    self._committed([(r, t)], self.sink.commit([t.batch], timeout=self.lock_timeout))
                except Exception as one:  # sorted below: storage trouble and failed operations are kept, the rest is a bad item
                    if storage_trouble(one) or isinstance(one, OperationError):
                        r.restore(t)
                        if storage_trouble(one):
                            self._on_trouble(one)
                        elif isinstance(one, OperationError):
                            r.drop_operation(t, one.index, one.cause, MAX_OP_FAILURES)
                        continue
                    self._commit_in_parts(r, t, one)
            return False
        r, t = taken[0]
        self._commit_in_parts(r, t, exc)
        return False

    def _commit_in_parts(self, run: RunWriter, taken: TakenBatch, exc: BaseException) -> None:
        """Commit one run's batch part by part; a part that fails is dropped with a warning.

        ``taken`` keeps only what is still to do, so storage trouble midway puts back
        exactly the parts not yet committed.
        """
        b = taken.batch
        parts: list[tuple[str, RunBatch, Any]] = [
            ("record", RunBatch(b.run_id, b.seq, [], b.update, first=b.first, resume=b.resume), None)]
        parts += [("history rows", RunBatch(b.run_id, b.seq, [t], {}), t) for t in b.history]
        parts += [(f"file {f['path']!r}", RunBatch(b.run_id, b.seq, [], {}, files=[f]), f) for f in b.files]
        parts += [("pending operation", RunBatch(b.run_id, b.seq, [], {}, operations=[op.apply]), op)
                  for op in taken.ops]
        done_ops: list[Any] = []
        results: list[Any] = []
        whole = TakenBatch(b, list(taken.tables), dict(taken.update), taken.blobs, list(taken.files),
                           list(taken.ops))
        was_first = run.first
        stored_any = False
        failures: list[tuple[str, Any, BaseException]] = []
        for label, part, item in parts:
            try:
                outcome = self.sink.commit([part], timeout=self.lock_timeout)[0]
            except Exception as one:  # drop this part, keep the rest
                if storage_trouble(one):
                    if stored_any:
                        run.restore(taken)  # what is left is tried again later
                        self._report_dropped(run, failures)
                    else:
                        run.first = was_first
                        run.restore(whole)
                    self._on_trouble(one)
                    return
                if label == "record" and b.first and self._store_bare_record(b):
                    stored_any = True
                failures.append((label, item, one.cause if isinstance(one, OperationError) else one))
            else:
                stored_any = True
                if outcome.status != "stored":
                    run.committed(taken, outcome)
                    return
                if label == "pending operation":
                    done_ops.append(item)
                    results.extend(outcome.results)
            if label == "record":
                taken.update = {}
                run.first = False
                for later in parts[1:]:
                    later[1].first = False
            elif label == "history rows":
                taken.tables = [t for t in taken.tables if t is not item]
            elif label == "pending operation":
                taken.ops = [op for op in taken.ops if op is not item]
            else:
                taken.files = [f for f in taken.files if f is not item]
        if not stored_any:
            # Nothing at all could be stored: not one bad item but the store or nbtrack
            # itself. Keep everything and retry later, as for storage trouble.
            run.first = was_first
            run.restore(whole)
            self._on_trouble(exc)
            return
        self._report_dropped(run, failures)
        taken.ops = done_ops
        run.committed(taken, BatchOutcome("stored", results))

    def _report_dropped(self, run: RunWriter, failures: list[tuple[str, Any, BaseException]]) -> None:
        for label, item, cause in failures:
            self.warn_item(run.run_id, f"part-{label}", f"nbtrack: could not store a {label} of run "
                           f"{run.run_id} ({type(cause).__name__}: {cause}); it is dropped, the rest of the "
                           "run is stored.")
            if label == "pending operation":
                _call(item.on_error, cause)

    def _store_bare_record(self, batch: RunBatch) -> bool:
        """The run's record cannot be stored: store its id alone so its data has a run."""
        try:
            self.sink.commit([RunBatch(batch.run_id, batch.seq, [], {"id": batch.run_id}, first=True,
                                       resume=batch.resume)], timeout=self.lock_timeout)
            return True
        except Exception:  # the parts after it are tried anyway
            return False


def _call(callback: Callable[[Any], None] | None, value: Any) -> None:
    """Run a caller's callback; it must not stop the writer."""
    if callback is None:
        return
    try:
        callback(value)
    except Exception:  # boundary: a caller's callback must not stop the writer thread
        _log.warning("nbtrack: a storage callback raised; the writer goes on", exc_info=True)
