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


class UnsafeStoreEntry(ValueError):
    """A path or digest read from the store would reach outside where it belongs.

    A shared store is written by many people, so what it holds is untrusted: a file
    name like ``../../.bashrc`` or ``/etc/x``, a digest that is not 64 hex characters,
    or a blob that is a link out of the store is refused with this error, naming the
    entry, instead of being followed (or skipped silently).
    """
