"""Linking and models: `run.link_artifact`, `log_model`, `use_model`, `link_model`.

wandb links a logged version into a registry collection ("entity/project/collection" or
"wandb-registry-model/collection"). Locally a link is a version of the target collection
holding the same files (content-addressed: nothing is copied), with the link's aliases;
the lineage records it as direction "link", so the linking run's `logged_artifacts()`
lists only what it logged. Models are artifacts of type "model"; registered models
(`link_model`) live in the project "model-registry".
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import UsageError
from . import ops
from .artifact import Artifact
from .names import check_aliases, check_name
from .runside import log_artifact, use_artifact

if TYPE_CHECKING:
    from ..tracking.run import Run

MODEL_TYPE = "model"
REGISTRY_PROJECT = "model-registry"
LINK = "link"


def parse_target(target_path: str, default_project: str) -> tuple[str, str]:
    """(project, collection) of "collection", "project/collection" or "entity/project/collection"."""
    if not isinstance(target_path, str) or not target_path.strip("/"):
        raise ValueError("link_artifact: target_path must be a string like 'project/collection'.")
    parts = target_path.strip("/").split(":")[0].split("/")
    if len(parts) > 3:
        raise ValueError(f"link_artifact: cannot read target_path {target_path!r}; use 'project/collection'.")
    name = check_name(parts[-1], "collection name")
    project = parts[-2] if len(parts) >= 2 else default_project
    if project.startswith("wandb-registry-"):
        project = REGISTRY_PROJECT if project == "wandb-registry-model" else project[len("wandb-registry-"):]
    return project, name


def link_artifact(run: Run, artifact: Artifact, target_path: str, aliases: Sequence[str] | None = None) -> Artifact:
    """Link `artifact` (logged first if it is a draft) into the collection `target_path`.

    Returns the Artifact as it is in the target collection (``wait()`` for its version).
    """
    if run.finished:
        raise UsageError(f"run {run.name!r} is finished; link artifacts before finish() or in a new run.")
    if not isinstance(artifact, Artifact):
        raise TypeError(f"link_artifact expects an Artifact, got {type(artifact).__name__}.")
    if artifact.is_draft():
        log_artifact(run, artifact)
    project, name = parse_target(target_path, run.project)
    alias_list = check_aliases(aliases)
    linked = artifact.linked_copy(project, name)
    writer = run.store_writer
    operation = None if writer is None else ops.log_version(
        project, name, artifact.type, artifact.description, artifact.metadata, list(artifact.tags),
        artifact.files(), alias_list, run.id, LINK)
    linked.begin_log(project, run.id, alias_list, writer, operation)  # no writer: mode="disabled"
    return linked


def log_model(run: Run, path: str | os.PathLike[str], name: str | None = None,
              aliases: Sequence[str] | None = None) -> Artifact:
    """Log a model file or directory as the next version of the "model" artifact `name`
    (default ``run-<id>-<base name>``)."""
    if name is None:
        base = os.path.basename(os.path.normpath(os.fspath(path)))
        name = re.sub(r"[^A-Za-z0-9_.-]", "_", f"run-{run.id}-{base}")
    return log_artifact(run, path, name, MODEL_TYPE, list(aliases or []))


def use_model(run: Run, name: str) -> str:
    """Record that the run uses model `name` ("name:alias"), download it; the local path.

    The path is the file itself for a one-file model, else the folder holding its files.
    """
    art = use_artifact(run, name)
    if art.type != MODEL_TYPE:
        raise ValueError(f"use_model: {art.qualified_name} is an artifact of type {art.type!r}, not a model; "
                         "use run.use_artifact() for it.")
    root = art.download()
    files = art.files()
    return str(Path(root) / files[0].path) if len(files) == 1 else root


def link_model(run: Run, path: str | os.PathLike[str], registered_model_name: str, name: str | None = None,
               aliases: Sequence[str] | None = None) -> Artifact:
    """Log a model (see `log_model`) and link it into the registry collection
    `registered_model_name` (project "model-registry")."""
    art = log_model(run, path, name)
    return link_artifact(run, art, f"{REGISTRY_PROJECT}/{registered_model_name}", aliases)
