"""Which reader answers a read: the local store, or the team store on PostgreSQL; and
which editor edits what a reader read.

``store`` (a ``postgresql://`` URL) > ``dir`` (a local store directory) > the
``NBTRACK_STORE`` environment variable > the local default (``NBTRACK_DIR`` or
``./nbtrack``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, Protocol

from .editor import StoreEditor
from .postgres.url import team_url
from .reader import StoreReader
from .store import Store, store_at


def reader_for(dir: str | os.PathLike[str] | None = None, store: str | None = None) -> StoreReader:
    """A reader of the team store if one is named (argument or environment), else of the local store."""
    url = team_url(store, dir)
    if url is None:
        return StoreReader(store_at(dir))
    # the team store's modules load the PostgreSQL driver: only when one is named
    from .postgres.reader import TeamReader
    from .postgres.team_store import TeamStore

    return TeamReader(TeamStore(url))


class RunEditor(Protocol):
    """What the read API and the runs table ask of an editor (``StoreEditor``, ``TeamEditor``)."""

    def update(self, run_id: str, *, name: str | None = None, notes: str | None = None,
               tags: Sequence[str] | None = None, group: str | None = None, job_type: str | None = None,
               config: dict[str, Any] | None = None, summary: dict[str, Any] | None = None,
               project: str | None = None) -> None: ...

    def delete(self, run_ids: Sequence[str], force: bool = False, project: str | None = None) -> list[str]: ...

    def add_file(self, run_id: str, name: str, source_path: str, kind: str = "file") -> dict[str, Any]: ...


def editor_for(store: object) -> RunEditor:
    """The editor of a reader's store: the local store's, or the team store's (edits
    stamped with their time, newest wins; deletions refused there)."""
    if isinstance(store, Store):
        return StoreEditor(store)
    url = getattr(store, "url", None)
    if not isinstance(url, str):
        raise TypeError(f"no editor for {store!r}")
    # the team store's modules load the PostgreSQL driver: only for a team store
    from .postgres.team_editor import TeamEditor

    return TeamEditor(url)
