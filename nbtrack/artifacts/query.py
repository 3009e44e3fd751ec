"""Read artifacts out of a store (through StoreReader: shared lock, copied out).

The SQL is in ``nbtrack.store.artifact_queries``; this module resolves references
("name:alias", "project/name:v3") and turns stored rows into Artifact objects.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..store import artifact_queries as stored
from ..store.artifact_queries import ArtifactFilter
from .artifact import Artifact
from .names import Ref, parse_ref

if TYPE_CHECKING:
    from ..store.reader import StoreReader


def projects_with(reader: StoreReader, name: str) -> list[str]:
    """Projects that have an artifact of this name."""
    return stored.projects_with(reader, name)


def resolve(reader: StoreReader, ref: str | Ref, project: str | None = None) -> tuple[str, str, int]:
    """(project, name, version) for a reference; ValueError naming what is missing.

    Without a project in the reference, ``project`` (the run's) is tried first, then the
    only project holding that name; a name in several projects must be qualified.
    """
    ref = parse_ref(ref) if isinstance(ref, str) else ref
    where = ref.project or project
    candidates = projects_with(reader, ref.name)
    if where is not None and where in candidates:
        chosen = where
    elif ref.project is None and len(candidates) == 1:
        chosen = candidates[0]
    elif ref.project is None and len(candidates) > 1:
        raise ValueError(f"nbtrack: artifact {ref.name!r} exists in several projects {candidates}; "
                         f"say which, e.g. '{candidates[0]}/{ref.name}:{ref.alias}'.")
    else:
        place = f" in project {where!r}" if where else ""
        raise ValueError(f"nbtrack: no artifact named {ref.name!r}{place} in {reader.store.root}.")
    if ref.version is not None:
        version = ref.version if stored.has_version(reader, chosen, ref.name, ref.version) else None
    else:
        version = stored.aliased_version(reader, chosen, ref.name, ref.alias)
    if version is None:
        raise ValueError(f"nbtrack: artifact {chosen}/{ref.name} has no version {ref.alias!r}.")
    return chosen, ref.name, version


def load_where(reader: StoreReader, which: ArtifactFilter) -> list[Artifact]:
    """Artifacts (committed versions) that ``which`` selects, by project, name and version."""
    return [Artifact.from_store(dict(row), reader.store) for row in stored.version_rows(reader, which)]


def load(reader: StoreReader, project: str, name: str, version: int) -> Artifact:
    """One committed version."""
    found = load_where(reader, ArtifactFilter(project=project, name=name, version=version))
    if not found:
        raise ValueError(f"nbtrack: artifact {project}/{name}:v{version} is not in {reader.store.root}.")
    return found[0]


def fetch(reader: StoreReader, ref: str, project: str | None = None, type: str | None = None) -> Artifact:
    """Resolve and load a reference; ValueError when missing or of another type."""
    art = load(reader, *resolve(reader, ref, project))
    if type is not None and art.type != type:
        raise ValueError(f"nbtrack: artifact {art.qualified_name} has type {art.type!r}, not {type!r}.")
    return art


def versions(reader: StoreReader, name: str | None = None, type: str | None = None, project: str | None = None) -> list[Artifact]:
    """Committed versions, filtered by name ("name" or "project/name"), type and project."""
    base = None
    if name is not None:
        ref = parse_ref(name)
        base = ref.name
        project = ref.project or project
    return load_where(reader, ArtifactFilter(project=project, name=base, type=type))


def of_run(reader: StoreReader, run_id: str, direction: str) -> list[Artifact]:
    """Versions a run logged ('output') or used ('input'), by project, name and version."""
    return load_where(reader, ArtifactFilter(lineage=(run_id, direction)))


def runs_of(reader: StoreReader, project: str, name: str, version: int, direction: str) -> list[str]:
    """Ids of the runs that logged ('output') or used ('input') a version."""
    return stored.lineage_runs(reader, project, name, version, direction)
