"""The rest of wandb's Run API, mixed into `Run`: where the run lives (entity, path, url,
settings, resumed, offline), alerts, models, links, code, restore, unwatch.

Kept apart from `run.py`, which holds the logging hot path and the run's life
cycle; these methods only read the run's identity and hand work to other modules.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from ..run_identity import InitOptions, default_entity, store_url
from ..settings import Settings

if TYPE_CHECKING:
    from pathlib import Path

    from ..store.records import RunRecord
    from .alerts import AlertLog
    from .run import Run


class WandbRunMethods:
    """wandb's run attributes and methods beyond logging (a base class of `Run`)."""

    id: str
    project: str
    store_dir: Path | None
    group: str | None
    job_type: str | None
    preempting: bool
    _name: str
    _notes: str | None
    _tags: tuple[str, ...]
    _record: RunRecord
    _options: InitOptions
    _alerts: AlertLog

    def with_lineage(self, artifact: Any) -> Any: ...  # Run's

    def _as_run(self) -> Run:
        """This base class's only subclass is `Run`: typed so for the helpers that take one."""
        return cast("Run", self)

    def set_init_options(self, options: InitOptions) -> None:
        """Called by init(): the entity, mode, settings and resume outcome it was given."""
        self._options = options

    @property
    def entity(self) -> str:
        """The entity given to init(entity=), else WANDB_ENTITY, else "local"."""
        return self._options.entity or default_entity()

    @property
    def path(self) -> str:
        """"entity/project/id": what `nbtrack.Api().run(path)` reads back."""
        return f"{self.entity}/{self.project}/{self.id}"

    @property
    def url(self) -> str | None:
        """Where the run is kept: the store's file URI, the run in its fragment (None if kept nowhere)."""
        return store_url(self.store_dir, self.project, self.id)

    def get_url(self) -> str | None:
        """The run's URL (see `url`)."""
        return self.url

    def get_project_url(self) -> str | None:
        """The project's URL in the store."""
        return store_url(self.store_dir, self.project)

    def project_name(self) -> str:
        """The project's name (wandb's method form)."""
        return self.project

    @property
    def resumed(self) -> bool:
        """True when init(resume=...) continued a stored run."""
        return self._options.resumed

    @property
    def offline(self) -> bool:
        """True for init(mode="offline") (nbtrack is always local; the mode is recorded)."""
        return self._options.mode == "offline"

    @property
    def disabled(self) -> bool:
        """True for init(mode="disabled"): nothing is kept."""
        return self._options.mode == "disabled" or self.store_dir is None

    @property
    def settings(self) -> Settings:
        """The settings passed to init(), with the run's own (project, run_id, ...) on top."""
        given = self._options.settings
        if isinstance(given, Settings):
            base = given.to_dict()
        elif isinstance(given, Mapping):  # wandb also takes settings={"start_method": ...}
            base = {str(k): v for k, v in given.items()}
        else:
            base = dict(getattr(given, "__dict__", None) or {})
        base.update(project=self.project, run_id=self.id, run_name=self._name, entity=self.entity,
                    mode=self._options.mode or "online", root_dir=str(self.store_dir) if self.store_dir else None, resumed=self.resumed,
                    run_tags=self._tags, run_notes=self._notes, run_group=self.group, run_job_type=self.job_type)
        return Settings(**base)

    def alert(self, title: str, text: str, level: Any = None, wait_duration: Any = None) -> None:
        """Show an alert under the cell and keep it with the run (see `nbtrack.tracking.alerts`)."""
        self._alerts.send(title, text, level, wait_duration)

    def unwatch(self, models: Any = None) -> None:
        """Stop logging the gradients/parameters of `models` (default: every watched model)."""
        from ..integrations.torch import unwatch

        unwatch(self._as_run(), models)

    def log_code(self, root: str | os.PathLike[str] | None = ".", name: str | None = None,
                 include_fn: Any = None, exclude_fn: Any = None) -> Any:
        """Keep the source files under `root` (default `*.py`) as a "code" artifact; returns it
        (None when no file matches)."""
        from . import _run_files as run_files

        kwargs = {k: v for k, v in (("include_fn", include_fn), ("exclude_fn", exclude_fn)) if v is not None}
        return run_files.log_code(self._as_run(), root, name, **kwargs)

    def restore(self, name: str, run_path: str | None = None, replace: bool = False,
                root: str | os.PathLike[str] | None = None) -> Any:
        """Write a file saved with a run (default: this one) under `root`; returns it open."""
        from . import _run_files as run_files

        return run_files.restore(name, run_path, replace, root, active=self._as_run())

    def mark_preempting(self) -> None:
        """Accepted for wandb code: a local run that dies is reported crashed and can be
        continued with init(id=..., resume="allow") whatever this says."""
        self.preempting = True

    def link_artifact(self, artifact: Any, target_path: str, aliases: list[str] | None = None) -> Any:
        """Link a logged artifact into another collection ("project/collection")."""
        from ..artifacts.links import link_artifact

        return self.with_lineage(link_artifact(self._as_run(), artifact, target_path, aliases))

    def log_model(self, path: str | os.PathLike[str], name: str | None = None, aliases: list[str] | None = None) -> Any:
        """Log a model file or folder as a "model" artifact; returns the Artifact."""
        from ..artifacts.links import log_model

        return self.with_lineage(log_model(self._as_run(), path, name, aliases))

    def use_model(self, name: str) -> str:
        """Use a "model" artifact ("name:alias"): downloaded, its local path returned."""
        from ..artifacts.links import use_model

        return use_model(self._as_run(), name)

    def link_model(self, path: str | os.PathLike[str], registered_model_name: str, name: str | None = None,
                   aliases: list[str] | None = None) -> Any:
        """Log a model and link it into the registry collection `registered_model_name`."""
        from ..artifacts.links import link_model

        return self.with_lineage(link_model(self._as_run(), path, registered_model_name, name, aliases))
