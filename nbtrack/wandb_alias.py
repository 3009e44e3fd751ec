"""`nbtrack.patch_wandb()`: make `import wandb` give nbtrack in this process (opt-in).

Libraries that import wandb themselves (transformers' `report_to="wandb"`, Lightning's
`WandbLogger`, ultralytics) cannot be reached by renaming an import. After
`patch_wandb()`:

- `import wandb` and `import wandb.<sub>` resolve to `nbtrack` and `nbtrack.<sub>` (the
  same module objects, so `wandb.run is nbtrack.run`), through a finder placed first on
  `sys.meta_path`; `importlib.util.find_spec("wandb")` returns a spec named "wandb";
- `importlib.metadata.version("wandb")` answers `WANDB_COMPAT_VERSION` (libraries gate
  their wandb support on the installed distribution's version, e.g. Lightning's
  `RequirementCache("wandb>=0.12.10")`).

It refuses when the real wandb is already imported: the library holding it would keep
logging to wandb while the rest of the process used nbtrack.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.metadata
import importlib.util
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Any

from .errors import UsageError

ALIAS = "wandb"
TARGET = __package__ or "nbtrack"
#: the wandb API level nbtrack follows, as the stand-in distribution's version
WANDB_COMPAT_VERSION = "0.31.0+nbtrack"


def _target_name(fullname: str) -> str | None:
    if fullname == ALIAS:
        return TARGET
    if fullname.startswith(ALIAS + "."):
        return TARGET + fullname[len(ALIAS):]
    return None


class _AliasLoader(importlib.abc.Loader):
    """Loads `wandb.x` as the already-importable module `nbtrack.x` (the same object)."""

    def __init__(self, target: str) -> None:
        self.target = target
        self._spec: Any = None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        module = importlib.import_module(self.target)
        self._spec = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        # the import system set module.__spec__ to the alias spec; nbtrack's module keeps its own
        if self._spec is not None:
            module.__spec__ = self._spec


class WandbAliasFinder(importlib.abc.MetaPathFinder):
    """Finds `wandb` and `wandb.*` as nbtrack's modules."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        name = _target_name(fullname)
        if name is None:
            return None
        try:
            found = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            return None
        if found is None:
            return None
        return importlib.util.spec_from_loader(
            fullname, _AliasLoader(name), origin=found.origin,
            is_package=found.submodule_search_locations is not None)


class _StandInDistribution(importlib.metadata.Distribution):
    """The "wandb" distribution as nbtrack answers for it (name, version, summary)."""

    def read_text(self, filename: str) -> str | None:
        if filename in ("METADATA", "PKG-INFO"):
            return (f"Metadata-Version: 2.1\nName: {ALIAS}\nVersion: {WANDB_COMPAT_VERSION}\n"
                    "Summary: nbtrack standing in for wandb (nbtrack.patch_wandb)\n")
        return None

    def locate_file(self, path: Any) -> Any:
        return None


class WandbDistributionFinder(importlib.metadata.DistributionFinder):
    """Answers `importlib.metadata` look-ups of the "wandb" distribution by name."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> None:
        return None

    def find_distributions(self, context: Any = None) -> Iterator[importlib.metadata.Distribution]:
        name = getattr(context, "name", None)
        if name is not None and name.lower().replace("_", "-") == ALIAS:
            yield _StandInDistribution()


_finders: list[Any] = []


def _real_wandb() -> ModuleType | None:
    """The real wandb if this process imported it (a `wandb` module that is not nbtrack)."""
    own = sys.modules.get(TARGET)
    for name, module in list(sys.modules.items()):
        if (name == ALIAS or name.startswith(ALIAS + ".")) and module is not None:
            if name == ALIAS and module is own:
                continue
            if not getattr(module, "__name__", "").startswith(TARGET):
                return module
    return None


def is_patched() -> bool:
    """True while `import wandb` resolves to nbtrack in this process."""
    return bool(_finders)


def patch_wandb() -> ModuleType:
    """Make `import wandb` (and `wandb.*`) resolve to nbtrack in this process; returns the
    module (nbtrack). Call it before importing the library that imports wandb.

    Raises UsageError if the real wandb is already imported.
    """
    real = _real_wandb()
    if real is not None:
        where = getattr(real, "__file__", None) or getattr(real, "__name__", "?")
        raise UsageError(
            f"nbtrack.patch_wandb: the real wandb is already imported in this process ({where}), so "
            "code holding it would keep logging to wandb. Restart the kernel and call "
            "nbtrack.patch_wandb() (or %nbtrack init --as-wandb) before importing transformers, "
            "lightning or anything else that imports wandb.")
    if not _finders:
        _finders.extend([WandbAliasFinder(), WandbDistributionFinder()])
        for finder in reversed(_finders):
            sys.meta_path.insert(0, finder)
        importlib.invalidate_caches()
    return importlib.import_module(ALIAS)


def unpatch_wandb() -> None:
    """Undo `patch_wandb()`: `import wandb` finds the real wandb again (if installed)."""
    for finder in _finders:
        if finder in sys.meta_path:
            sys.meta_path.remove(finder)
    _finders.clear()
    own = sys.modules.get(TARGET)
    for name, module in list(sys.modules.items()):
        if (name == ALIAS or name.startswith(ALIAS + ".")) and (
                module is own or getattr(module, "__name__", "").startswith(TARGET)):
            del sys.modules[name]
    importlib.invalidate_caches()
