"""Which reader answers a read: the local store, or the team store on PostgreSQL.

``store`` (a ``postgresql://`` URL) > ``dir`` (a local store directory) > the
``NBTRACK_STORE`` environment variable > the local default (``NBTRACK_DIR`` or
``./nbtrack``).
"""

from __future__ import annotations

import os

from .postgres.url import team_url
from .reader import StoreReader
from .store import store_at


def reader_for(dir: str | os.PathLike[str] | None = None, store: str | None = None) -> StoreReader:
    """A reader of the team store if one is named (argument or environment), else of the local store."""
    url = team_url(store, dir)
    if url is None:
        return StoreReader(store_at(dir))
    # the team store's modules load the PostgreSQL driver: only when one is named
    from .postgres.reader import TeamReader
    from .postgres.team_store import TeamStore

    return TeamReader(TeamStore(url))
