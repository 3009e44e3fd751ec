"""Reports: one self-contained HTML file of some runs (``nbtrack.report(...)``), also the
pages nbtrack's Jupyter server extension serves.

``collect.py`` reads the store, ``pack.py`` packs the data, ``notes.py`` renders the
markdown notes, ``page.py`` writes the HTML around the bundle ``js/src/report/``
builds, ``build.py`` is ``report()``, ``links.py`` the link on the Jupyter server.
``report`` and ``Report`` load on first use, so the server extension's start-up (which
imports ``links``) stays light.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .build import Report, report

__all__ = ["Report", "report"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(import_module(".build", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
