"""Errors and warnings raised by the nbtrack store."""

from __future__ import annotations


class NbtrackStorageWarning(UserWarning):
    """Storage trouble (lock timeout, disk full, read-only dir) that nbtrack retries.

    Logging never raises for storage trouble: the writer warns (rate limited), keeps the
    data in memory and retries with backoff.
    """


class StoreVersionError(RuntimeError):
    """The store was written by a newer nbtrack whose schema this version cannot read."""

    def __init__(self, found: int, supported: int) -> None:
        self.found = found
        self.supported = supported
        super().__init__(
            f"this store was written by a newer nbtrack (schema {found} > {supported}); "
            "upgrade nbtrack (pip install -U nbtrack)"
        )


class LockTimeout(TimeoutError):
    """The store lock could not be acquired within the timeout."""
