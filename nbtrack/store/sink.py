"""The boundary between the process's writer and a storage backend (a "sink").

The writer hands a sink everything it has for the runs of one store as a list of
``RunBatch`` and the sink commits them in ONE transaction: all of it or nothing, so a
failed commit is retried whole and a retry never duplicates a row. Each batch carries a
per-run sequence number, so a backend that cannot tell whether a commit that lost its
answer went through (a database server across a network) can keep a ledger of
``(run_id, seq)`` and skip a batch it already has. Blobs (content-addressed files) are put
before the commit that references them.

``nbtrack.store.duckdb_sink.DuckDBSink`` is the sink of the local DuckDB file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, Literal, Protocol

from .records import FileRecord, RunRecord

#: what became of one run's batch: stored; the run was deleted from the store meanwhile
#: (nothing stored, the writer stops storing it); or its id is taken by another run
#: (nothing stored, the writer gives the run a new id and sends it again)
BatchStatus = Literal["stored", "deleted", "conflict"]


@dataclass
class RunBatch:
    """What one run has for one commit."""

    run_id: str
    #: 0, 1, 2, ... per run; the idempotency key of a batch
    seq: int
    #: history rows: pyarrow Tables (step, ts, key, num, text, json)
    history: list[Any]
    #: ``runs`` fields to set; the first batch of a run holds its whole record
    update: RunRecord
    files: list[FileRecord] = field(default_factory=list)
    #: functions of the backend's connection applied after the rest, in order
    operations: list[Callable[[Any], Any]] = field(default_factory=list)
    #: the run has not been stored by this process yet (insert, or merge when resuming)
    first: bool = False
    #: the run continues a stored run: an existing row is expected, not a conflict
    resume: bool = False


@dataclass
class BatchOutcome:
    """The sink's answer for one ``RunBatch``: its status and the operations' results."""

    status: BatchStatus
    results: list[Any] = field(default_factory=list)


class OperationError(Exception):
    """A pending operation raised inside the transaction (which was rolled back)."""

    def __init__(self, run_id: str, index: int, cause: BaseException) -> None:
        self.run_id = run_id
        self.index = index
        self.cause = cause
        super().__init__(f"{type(cause).__name__}: {cause}")


class Sink(Protocol):
    """A storage backend the writer commits to."""

    #: where the data goes, for messages (a path, or a URL without credentials)
    location: str

    def commit(self, batches: Sequence[RunBatch], timeout: float | None) -> list[BatchOutcome]:
        """Commit every batch in one transaction; one outcome per batch, in order.

        Raises for trouble; nothing is committed then. Storage trouble (``OSError``, a
        lock timeout, a lost connection) is retried by the writer; anything else is
        isolated by committing the batches (and their parts) one at a time.
        """
        ...

    def has_blob(self, sha: str) -> bool:
        """True if the blob with this sha256 hex digest is stored."""
        ...

    def put_blob(self, data: bytes, sha: str | None = None) -> str:
        """Store bytes content-addressed; return the sha256 hex."""
        ...

    def put_blob_stream(self, src: IO[bytes]) -> tuple[str, int]:
        """Store an open binary stream content-addressed; return (sha256, size)."""
        ...
