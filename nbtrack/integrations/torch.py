"""PyTorch: gradient/parameter histograms (``watch``), parameter counts and checkpoints.

    run = nbtrack.init(project="mlp")
    run.watch(model, log="all", log_freq=100)      # or nbtrack.watch(model, ...)
    ...
    save_checkpoint(run, model, optimizer, epoch=epoch)

Histograms are logged with ``commit=False``, so (as in wandb) they join the user's next
``log()`` step instead of making steps of their own. Importing this module imports torch.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import torch

from ..artifacts.names import check_name
from ._common import _log_checkpoint, resolve_run

if TYPE_CHECKING:
    from ..artifacts import Artifact
    from ..tracking.run import Run

__all__ = ["count_parameters", "save_checkpoint", "unwatch", "watch"]

_LOG_MODES = ("gradients", "parameters", "all", None)
_BINS = 64


def tensor_histogram(tensor: torch.Tensor, bins: int = _BINS) -> dict[str, Any]:
    """A wandb-style histogram reference (``{"_type": "histogram", "values", "bins"}``) of
    a tensor's finite values, computed with torch (no copy to numpy of the whole tensor)."""
    flat = tensor.detach().reshape(-1)
    if flat.is_floating_point() is False or flat.dtype in (torch.float16, torch.bfloat16):
        flat = flat.float()
    finite = torch.isfinite(flat)
    if not bool(finite.all()):
        flat = flat[finite]
    if flat.numel() == 0:
        return {"_type": "histogram", "values": [], "bins": []}
    lo, hi = float(flat.min()), float(flat.max())
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    counts = torch.histc(flat, bins=bins, min=lo, max=hi)
    step = (hi - lo) / bins
    return {
        "_type": "histogram",
        "values": [int(c) for c in counts.cpu().tolist()],
        "bins": [lo + i * step for i in range(bins + 1)],
    }


class _Watch:
    """The hooks nbtrack put on one model for one run."""

    def __init__(self, run: Run, model: torch.nn.Module, prefix: str, log: str | None, log_freq: int) -> None:
        self.run = run
        self.model = model
        self.prefix = prefix
        self.log_freq = log_freq
        self.handles: list[Any] = []
        self._counts: dict[str, int] = {}
        self._forward_count = 0
        self._lock = threading.Lock()
        if log in ("parameters", "all"):
            self.handles.append(model.register_forward_hook(self._forward_hook))
        if log in ("gradients", "all"):
            for name, param in model.named_parameters():
                if param.requires_grad:
                    self.handles.append(param.register_hook(self._grad_hook(name)))

    def remove(self) -> None:
        for handle in self.handles:
            handle.remove()
        self.handles = []

    def _alive(self) -> bool:
        if self.run.finished:
            _remove_watch(self)
            return False
        return True

    def _forward_hook(self, module: torch.nn.Module, inputs: Any, output: Any) -> None:
        if not module.training:
            return
        self._forward_count += 1
        if self._forward_count % self.log_freq != 0 or not self._alive():
            return
        row = {
            f"parameters/{self.prefix}{name}": tensor_histogram(param)
            for name, param in module.named_parameters()
        }
        if row:
            with self._lock:
                self.run.log(row, commit=False)

    def _grad_hook(self, name: str) -> Any:
        key = f"gradients/{self.prefix}{name}"

        def hook(grad: torch.Tensor) -> None:
            count = self._counts.get(name, 0) + 1
            self._counts[name] = count
            if count % self.log_freq != 0 or not self._alive():
                return
            histogram = tensor_histogram(grad)
            with self._lock:
                self.run.log({key: histogram}, commit=False)

        return hook


_watches: list[_Watch] = []
_watch_lock = threading.Lock()


def _remove_watch(w: _Watch) -> None:
    w.remove()
    with _watch_lock:
        if w in _watches:
            _watches.remove(w)


def watch(
    run: Run | None,
    models: torch.nn.Module | Sequence[torch.nn.Module],
    criterion: Any = None,
    log: str | None = "gradients",
    log_freq: int = 1000,
    idx: int | None = None,
    log_graph: bool = False,
) -> list[torch.nn.Module]:
    """Log histograms of a model's gradients and/or parameters every `log_freq` steps.

    - ``log="gradients"``: ``gradients/<param name>`` every `log_freq`-th backward pass
      through each parameter; ``"parameters"``: ``parameters/<param name>`` every
      `log_freq`-th training-mode forward pass; ``"all"``: both; ``None``: no histograms.
    - Several models: the second and later names get a ``graph_<i>/`` prefix (``idx``
      offsets ``i``), as wandb does.
    - ``log_graph=True`` keeps the model's structure as text (``graph/<i>.txt``, the
      module tree and a parameter table) with the run; nbtrack draws no graph.
    - ``criterion`` is accepted for wandb compatibility and ignored.

    Watching a model again (e.g. a re-run notebook cell) replaces its earlier hooks.
    Hooks remove themselves when the run finishes. Returns the watched models.
    """
    run = resolve_run(run, "watch()")
    if log not in _LOG_MODES:
        raise ValueError(f'watch: log must be "gradients", "parameters", "all" or None, got {log!r}.')
    if not isinstance(log_freq, int) or isinstance(log_freq, bool) or log_freq < 1:
        raise ValueError(f"watch: log_freq must be a positive int, got {log_freq!r}.")
    model_list = [models] if isinstance(models, torch.nn.Module) else list(models)
    for model in model_list:
        if not isinstance(model, torch.nn.Module):
            raise TypeError(f"watch: expected torch.nn.Module(s), got {type(model).__name__}.")
    with _watch_lock:
        stale = [w for w in _watches if w.run.finished]
    for w in stale:  # hooks of finished runs that never fired again
        _remove_watch(w)
    start = 0 if idx is None else int(idx)
    for offset, model in enumerate(model_list):
        unwatch(models=model)
        number = start + offset
        prefix = f"graph_{number}/" if number > 0 else ""
        with _watch_lock:
            _watches.append(_Watch(run, model, prefix, log, log_freq))
        if log_graph:
            _save_graph(run, model, number)
    return model_list


def unwatch(run: Run | None = None, models: torch.nn.Module | Sequence[torch.nn.Module] | None = None) -> None:
    """Remove nbtrack's hooks: from `models` (default: all watched models), of `run` (default: any run)."""
    targets = None
    if models is not None:
        targets = {id(m) for m in ([models] if isinstance(models, torch.nn.Module) else models)}
    with _watch_lock:
        chosen = [w for w in _watches if (run is None or w.run is run) and (targets is None or id(w.model) in targets)]
    for w in chosen:
        _remove_watch(w)


def count_parameters(model: torch.nn.Module) -> dict[str, int]:
    """``{"total": n, "trainable": m}`` parameters of a model (shared tensors counted once)."""
    seen: set[int] = set()
    total = trainable = 0
    for param in model.parameters():
        if id(param) in seen:
            continue
        seen.add(id(param))
        total += param.numel()
        if param.requires_grad:
            trainable += param.numel()
    return {"total": total, "trainable": trainable}


def save_checkpoint(
    run: Run | None,
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer | None = None,
    name: str = "model",
    epoch: int | None = None,
    **extra: Any,
) -> Artifact | None:
    """Save ``{"model": state_dict, "optimizer": state_dict, "epoch": epoch, **extra}`` with
    ``torch.save`` as ``<name>.pt`` in the next version of the "model" artifact `name`
    (aliases ``latest`` and ``epoch_<e>``, metadata ``{"epoch": e}`` when `epoch` is given;
    the same content again reuses its version). Returns the Artifact (``.wait()`` for its
    version; None when the run keeps nothing, mode="disabled").

    Load it back: ``art = nbtrack.Api().artifact(f"{name}:latest")`` (or ``:epoch_3``, ``:v0``),
    then ``torch.load(os.path.join(art.download(root), f"{name}.pt"))``.
    """
    run = resolve_run(run, "save_checkpoint()")
    check_name(name)
    state: dict[str, Any] = {"model": model.state_dict()}
    if optimizer is not None:
        state["optimizer"] = optimizer.state_dict()
    if epoch is not None:
        state["epoch"] = epoch
    state.update(extra)
    folder = tempfile.mkdtemp(prefix="nbtrack-torch-")
    try:
        path = os.path.join(folder, f"{name}.pt")
        torch.save(state, path)
        aliases = ["latest"] + ([f"epoch_{epoch}"] if epoch is not None else [])
        return _log_checkpoint(run, path, epoch, aliases, name)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _save_graph(run: Run, model: torch.nn.Module, number: int) -> None:
    lines = [repr(model), "", f"{'parameter':<60} {'shape':<24} {'count':>12} trainable"]
    for pname, param in model.named_parameters():
        lines.append(f"{pname:<60} {str(tuple(param.shape)):<24} {param.numel():>12} {param.requires_grad}")
    counts = count_parameters(model)
    lines.append(f"total {counts['total']}, trainable {counts['trainable']}")
    folder = tempfile.mkdtemp(prefix="nbtrack-graph-")
    os.makedirs(os.path.join(folder, "graph"))
    path = os.path.join(folder, "graph", f"{number}.txt")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    try:
        run.save(path, base_path=folder, policy="now")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
