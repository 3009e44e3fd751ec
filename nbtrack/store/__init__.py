"""nbtrack's DuckDB store: paths, schema + migrations, lock, writer thread, reader, blobs.

Names are imported lazily so ``import nbtrack.store`` stays cheap (duckdb, pyarrow and
pandas load on first use).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "Store": "store",
    "StoreWriter": "writer",
    "RunWriter": "run_writer",
    "open_run": "live_writers",
    "flush_all": "live_writers",
    "flush_store": "live_writers",
    "StoreReader": "reader",
    "effective_state": "liveness",
    "resolve_store_dir": "paths",
    "NbtrackStorageWarning": "errors",
    "StoreVersionError": "errors",
    "LockTimeout": "errors",
    "HistoryRow": "records",
    "RunRecord": "records",
    "FileRecord": "records",
    "RunState": "records",
}
__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
