"""Artifacts of the team store in a run that ships to one (``init(store="postgresql://...")``).

``use_artifact("name:latest")`` resolves the name in the team store, so a version logged
on another machine is found (and downloaded from the team's blob store). The use is
written locally like every other part of the run: the version's row and files are
recorded in the local store (found by digest if it is there already) with an "input"
lineage row, and shipping maps it back to the team version by its digest. While the
team store is unreachable the name is resolved in the local store, with a warning.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..store.errors import NbtrackStorageWarning, StoreVersionError
from ..store.postgres.connect import TeamStoreError
from ..store.reader import StoreReader
from ..store.readers import reader_for
from . import ops, query

if TYPE_CHECKING:
    from ..tracking.run import Run
    from .artifact import Artifact


def team_url_of(run: Run) -> str | None:
    """The team store the run ships to, or None."""
    shipper = getattr(run, "team_shipper", None)
    return getattr(shipper, "url", None)


def fetch_for_run(run: Run, ref: str, local: StoreReader, type: str | None = None) -> Artifact:
    """Resolve ``ref`` in the run's team store if it has one (else, or while that is
    unreachable, in the ``local`` store's reader)."""
    url = team_url_of(run)
    if url is not None:
        try:
            return query.fetch(reader_for(store=url), ref, run.project, type)
        except (TeamStoreError, StoreVersionError) as exc:
            warnings.warn(f"nbtrack: use_artifact({ref!r}) is resolved in the local store {local.store.root}: "
                          f"the team store cannot be read now ({exc}).", NbtrackStorageWarning, stacklevel=3)
    return query.fetch(local, ref, run.project, type)


def use_operation(run_id: str, art: Artifact) -> Callable[[Any], dict[str, Any]]:
    """The writer operation recording that a run used ``art``: for a version read from the
    team store, its row and files are recorded locally too (by digest) with the lineage,
    since the local numbering is not the team's; else the lineage row alone."""
    if art._team is None:
        assert art.project is not None and art._version is not None
        return ops.record_use(run_id, art.project, art._base, art._version)
    assert art.project is not None
    return ops.log_version(art.project, art._base, art.type, art.description, dict(art.metadata), list(art.tags),
                           art.files(), [], run_id, direction="input")
