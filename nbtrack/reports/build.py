"""``nbtrack.report(...)``: write one self-contained HTML report of some runs.

The file holds everything (script, styles, data, thumbnails) and opens offline in any
current browser. In a notebook the returned :class:`Report` shows the page inline, and
when this kernel's Jupyter server has nbtrack's server extension, the link to the same
report on that server is printed too (``links.py``).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .. import active_runs
from ..store.paths import resolve_store_dir
from ..store.postgres.url import team_url
from ..store.reader import StoreReader
from ..store.readers import reader_for
from ..store.store import store_at
from .collect import collect
from .links import server_link
from .page import iframe, render_page

#: pages larger than this are not embedded in notebook outputs (the file and link are)
MAX_INLINE_BYTES = 25 * 1024 * 1024


def human_size(n: int) -> str:
    """1234567 -> '1.2 MB'."""
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{n} B"


class Report:
    """A written report: ``path``, ``size`` (bytes), ``url`` on the Jupyter server or None.

    Displayed in a notebook it shows the page inline (a sandboxed iframe).
    """

    def __init__(self, path: Path, html: str, runs: int, url: str | None) -> None:
        self.path = path
        self.size = len(html.encode("utf-8"))
        self.runs = runs
        self.url = url
        self._html = html

    def __repr__(self) -> str:
        return f"<nbtrack.Report {self.path} ({human_size(self.size)}, {self.runs} runs)>"

    def _repr_html_(self) -> str:
        if self.size > MAX_INLINE_BYTES:
            return f"<p>nbtrack report: {self.path} ({human_size(self.size)}), too large to show inline.</p>"
        return iframe(self._html)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-.")[:60] or "runs"


def _default_project(reader: StoreReader, project: str | None, runs: Sequence[Any] | None) -> str | None:
    if project is not None or runs is not None:
        return project
    run = active_runs.active()
    if run is not None:
        return run.project
    projects = reader.projects()
    return projects[0] if len(projects) == 1 else None


def report(project: str | None = None, runs: Sequence[Any] | None = None, metrics: Sequence[str] | None = None,
           title: str | None = None, notes: str | None = None, path: str | os.PathLike[str] | None = None,
           dir: str | os.PathLike[str] | None = None, quiet: bool = False, store: str | None = None) -> Report:
    """Write a self-contained HTML report and return it.

    ``project``: whose runs (default: the active run's project, else the store's only
    project, else every run); ``runs``: run ids or names (or run objects) to include,
    default all of the project; ``metrics``: the history keys to chart, default every
    numeric key; ``title``; ``notes``: markdown shown under the title (raw HTML in it is
    shown as text); ``path``: the file to write (default
    ``nbtrack-report-<project>-<time>.html`` in the current directory); ``dir``: the store;
    ``store="postgresql://..."`` (or ``NBTRACK_STORE``): report on the team's runs.

    The file holds the learning curves (M4-downsampled, interactive), the runs table,
    parallel coordinates and parameter importance, images and logged tables, and each
    run's config, summary and code. Prints the file's path and size (and the link on the
    Jupyter server when its nbtrack extension is loaded) unless ``quiet``.
    """
    active = active_runs.active()
    store_dir = Path(dir if dir is not None else (active.store_dir if active is not None and active.store_dir
                                                  else resolve_store_dir(None)))
    reader = reader_for(str(store_dir), store) if team_url(store, dir) else StoreReader(store_at(store_dir))
    project = _default_project(reader, project, runs)
    data = collect(reader, project=project, runs=list(runs) if runs is not None else None,
                   metrics=list(metrics) if metrics is not None else None)
    if not data.meta["runs"]:
        where = f"project {project!r}" if project else "the store"
        raise ValueError(f"no runs in {where} ({reader.store.root}) to report on; projects there: "
                         f"{', '.join(reader.projects()) or 'none'}")
    title = title or (f"{project} report" if project else "nbtrack report")
    page = render_page(data, title=title, notes=notes)
    if path is None:
        path = Path.cwd() / f"nbtrack-report-{_slug(project or 'runs')}-{time.strftime('%Y%m%d-%H%M%S')}.html"
    target = Path(path).expanduser()
    if target.is_dir():
        target = target / f"nbtrack-report-{_slug(project or 'runs')}-{time.strftime('%Y%m%d-%H%M%S')}.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(page, encoding="utf-8")
    run_ids = [r["id"] for r in data.meta["runs"]]
    url = server_link(store_dir, project, run_ids if runs is not None else None, metrics, title)
    result = Report(target.resolve(), page, len(run_ids), url)
    if not quiet:
        print(f"nbtrack: report of {result.runs} run{'s' if result.runs != 1 else ''} written to {result.path} "
              f"({human_size(result.size)})")
        if url:
            print(f"nbtrack: on this Jupyter server: {url}")
    return result
