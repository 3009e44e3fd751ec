"""Where a run lives, in wandb's words: entity, path, url, settings.

A local store has no entity (user or team on a server): the entity is the one given to
`init(entity=)`, else `WANDB_ENTITY`, else "local". `run.path` is "entity/project/id"
(what `Api().run(path)` reads back); `run.url` is the store's file URI with the run in
the fragment, so a notebook that prints it shows where the run is kept.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_ENTITY = "local"


def default_entity() -> str:
    """WANDB_ENTITY, else "local"."""
    return os.environ.get("WANDB_ENTITY") or DEFAULT_ENTITY


@dataclass
class InitOptions:
    """What `init()` was given that the run record does not keep."""

    entity: str | None = None
    mode: str | None = None
    resumed: bool = False
    settings: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


def store_url(store_dir: str | os.PathLike[str] | None, project: str, run_id: str | None = None) -> str | None:
    """``file:///abs/store/runs.duckdb#project=p&run=id`` (None for a run that keeps nothing)."""
    if store_dir is None:
        return None
    uri = (Path(store_dir).resolve() / "runs.duckdb").as_uri()
    frag = f"project={project}" + (f"&run={run_id}" if run_id else "")
    return f"{uri}#{frag}"
