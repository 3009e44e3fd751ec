"""Helpers shared by the integrations: finding the run, storing checkpoints, config values."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .. import active_runs
from ..artifacts import Artifact
from ..errors import UsageError

if TYPE_CHECKING:
    from ..tracking.run import Run

#: the history key of a checkpoint's epoch (a hidden metric; the artifact's metadata has it too)
CHECKPOINT_EPOCH = "checkpoint/epoch"


def resolve_run(run: Run | None, what: str) -> Run:
    """`run` if given, else the active run; a UsageError naming `what` when there is none."""
    if run is not None:
        return run
    active = active_runs.active()
    if active is None:
        raise UsageError(f"{what} needs a run: call nbtrack.init() first (or pass run=).")
    return active


def plain(value: Any) -> Any:
    """A JSON-able version of a hyperparameter: numbers/text/None as they are, containers
    element-wise, numpy scalars as numbers, anything else (estimators, callables) as repr."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)) and len(value) <= 100:
        return [plain(v) for v in value]
    item = getattr(value, "item", None)
    if callable(item) and getattr(value, "ndim", None) == 0:
        try:
            return plain(item())
        except (TypeError, ValueError):
            pass
    text = repr(value)
    return text if len(text) <= 500 else text[:497] + "..."


def put_model_info(run: Run, info: Mapping[str, Any]) -> None:
    """Merge `info` (e.g. parameter counts) into `run.config["model"]`.

    When the user's config already has a non-dict "model" value, the keys go to
    "model_info" instead, so nothing of theirs is overwritten.
    """
    current = run.config.get("model")
    if current is None or isinstance(current, Mapping):
        run.config.update({"model": {**(dict(current) if current else {}), **info}})
    else:
        existing = run.config.get("model_info")
        merged = {**(dict(existing) if isinstance(existing, Mapping) else {}), **info}
        run.config.update({"model_info": merged})


def _log_checkpoint(run: Run, path: str | os.PathLike[str], epoch: int | None, aliases: Sequence[str],
                    name: str) -> Artifact | None:
    """Log a checkpoint (a file, or a directory's files) as the next version of the "model"
    artifact `name`, with `aliases` ("latest" is always added) and ``{"epoch": epoch}`` as
    metadata; ``{"checkpoint/epoch": epoch}`` joins the user's next step (``commit=False``) as
    a hidden metric (``define_metric(..., hidden=True)``): in the history and summary, in
    no chart, since it is bookkeeping, not a learning curve.

    THE ONE PLACE that stores checkpoints for every integration (Keras ModelCheckpoint,
    torch save_checkpoint, Lightning). The content is copied now, so the file may change
    or go away afterwards; unchanged content reuses its version and only moves the aliases.
    Returns the Artifact (``.wait()`` for its version), or None when `path` is missing or
    the run keeps nothing (mode="disabled").
    """
    source = os.fspath(path)
    if run.store_dir is None or not os.path.exists(source):
        return None
    artifact = Artifact(name, "model", metadata={"epoch": int(epoch)} if epoch is not None else None)
    artifact.use_store(run.store)  # stage the blobs in this run's store, active or not
    if os.path.isdir(source):
        artifact.add_dir(source)
    else:
        artifact.add_file(source)
    run.log_artifact(artifact, aliases=list(aliases))
    if epoch is not None:
        if CHECKPOINT_EPOCH not in run.summary.definitions():
            run.define_metric(CHECKPOINT_EPOCH, hidden=True)
        run.log({CHECKPOINT_EPOCH: int(epoch)}, commit=False)
    return artifact
