"""Reports: one self-contained HTML file of some runs (``nbtrack.report(...)``), also the
pages nbtrack's Jupyter server extension serves.

``collect.py`` reads the store, ``pack.py`` packs the data, ``notes.py`` renders the
markdown notes, ``page.py`` writes the HTML around the bundle ``js/src/report/``
builds, ``build.py`` is ``report()``, ``links.py`` finds the link on the Jupyter server.
"""

from __future__ import annotations

from .build import Report, report

__all__ = ["Report", "report"]
