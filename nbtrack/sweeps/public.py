"""`Api().sweep(id)`: a stored sweep, its runs and its best run (wandb's public Sweep)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..store.sweeps import SweepRecord, SweepStore
from .search import grid_size, metric_value
from .spec import parse

#: Loads runs (wandb-shaped ``ApiRun`` objects) by id, oldest first.
RunLoader = Callable[[Sequence[str]], list[Any]]


class ApiSweep:
    """A sweep read from the store: ``config``, ``runs``, ``best_run()``, ``state``."""

    def __init__(self, record: SweepRecord, sweeps: SweepStore, load_runs: RunLoader) -> None:
        self._record = record
        self._sweeps = sweeps
        self._load_runs = load_runs
        self.id: str = record["id"]
        self.name: str = record["name"]
        self.project: str = record["project"]
        self.method: str = record["method"]
        self.config: dict[str, Any] = dict(record["config"])
        self.state: str = record["state"]
        self.entity: str | None = None
        self.path: list[str] = [self.project, self.id]
        self.url: str = f"{sweeps.store.root}#sweep={self.id}"

    def __repr__(self) -> str:
        return f"<ApiSweep {self.project}/{self.id} {self.method} ({self.state})>"

    @property
    def runs(self) -> list[Any]:
        """The sweep's runs, oldest first."""
        return self._load_runs(self._sweeps.run_ids(self.id))

    @property
    def expected_run_count(self) -> int | None:
        """Runs a grid sweep will have (or its run_cap); None when open-ended."""
        spec = parse(self.config)
        if spec.method == "grid":
            size = grid_size(spec)
            return min(size, spec.run_cap) if spec.run_cap else size
        return spec.run_cap

    def best_run(self, order: str | None = None) -> Any:
        """The finished run with the best value of the sweep's metric (its goal decides
        min or max), or of ``order`` ("summary_metrics.acc" descending with a leading
        "-", ascending with "+" or none); None when no run has the value."""
        spec = parse(self.config)
        if order:
            descending = order.startswith("-")
            key = order.lstrip("+-")
            for prefix in ("summary_metrics.", "summary."):
                if key.startswith(prefix):
                    key = key[len(prefix):]
        elif spec.metric:
            key, descending = spec.metric, spec.goal == "maximize"
        else:
            raise ValueError(f"sweep {self.id} has no metric in its config; pass order='-summary_metrics.<name>'.")
        scored = [(metric_value(r.summary, key), r) for r in self.runs if r.state == "finished"]
        valued: list[tuple[float, Any]] = [(v, r) for v, r in scored if v is not None]
        if not valued:
            return None
        pick = max if descending else min
        return pick(valued, key=lambda vr: vr[0])[1]
