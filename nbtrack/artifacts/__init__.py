"""Versioned artifacts: ``Artifact``, logging and use by runs, reading back.

Modules: ``names`` (name/alias rules, "project/name:alias" references), ``manifest``
(entries and the digest), ``artifact`` (the Artifact class), ``ops`` (SQL applied inside
the store writer's transaction), ``runside`` (run.log_artifact / run.use_artifact),
``query`` (read side).
"""

from __future__ import annotations

from .artifact import Artifact
from .manifest import ArtifactEntry, Manifest

__all__ = ["Artifact", "ArtifactEntry", "Manifest"]
