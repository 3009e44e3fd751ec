"""HTML of the server's pages: the projects page here; project, run and report pages are
report pages (``nbtrack/reports/page.py``) built from the store when asked for.

Everything from a store or a URL is escaped; links are built from quoted components.
"""

from __future__ import annotations

import html
import time
from typing import Any
from urllib.parse import quote, urlencode

from ..reports.build import human_size
from ..reports.collect import collect
from ..reports.page import render_page
from ..store import report_queries
from ..store.reader import StoreReader
from ..store.store import Store

_STYLE = """body{font-family:system-ui,sans-serif;font-size:14px;max-width:1000px;margin:20px auto;padding:0 20px;
color-scheme:light dark}a{color:#1565c0}table{border-collapse:collapse}td,th{padding:3px 10px;text-align:left;
border-bottom:1px solid rgba(128,128,128,.25)}.meta{color:GrayText}code{font-family:ui-monospace,monospace}"""


def urls(base_url: str) -> dict[str, Any]:
    """URL builders for the pages, under the server's ``base_url``."""
    root = base_url.rstrip("/") + "/nbtrack"

    def project(store: str, name: str) -> str:
        return f"{root}/project/{quote(name, safe='')}?{urlencode({'store': store})}"

    def run(store: str, run_id: str) -> str:
        return f"{root}/run/{quote(run_id, safe='')}?{urlencode({'store': store})}"

    def run_template(store: str) -> str:
        return f"{root}/run/{{id}}?{urlencode({'store': store})}"

    return {"root": root + "/", "project": project, "run": run, "run_template": run_template}


def projects_page(base_url: str, stores: list[tuple[str, Any]]) -> str:
    """The list of stores and their projects (``stores``: (relative path, Store))."""
    u = urls(base_url)
    e = html.escape
    rows = []
    for rel, store in stores:
        try:
            counts = report_queries.project_counts(StoreReader(store, lock_timeout=5.0))
        except Exception as exc:  # one unreadable store must not hide the others
            rows.append(f"<h2><code>{e(rel)}</code></h2><p class=meta>could not be read: {e(str(exc))}</p>")
            continue
        size = human_size(store.db_path.stat().st_size) if store.db_path.exists() else "?"
        items = "".join(
            f"<tr><td><a href=\"{e(u['project'](rel, name))}\">{e(name)}</a></td><td>{n}</td>"
            f"<td class=meta>{e(time.strftime('%Y-%m-%d %H:%M', time.localtime(last)) if last else '')}</td></tr>"
            for name, n, last in counts)
        rows.append(f"<h2>store <code>{e(rel)}</code> <span class=meta>({size})</span></h2>"
                    + (f"<table><tr><th>project</th><th>runs</th><th>latest</th></tr>{items}</table>" if items
                       else "<p class=meta>no runs yet</p>"))
    body = "".join(rows) or "<p>No nbtrack store under this server's root directory yet.</p>"
    return (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>nbtrack projects</title>"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
            f"<style>{_STYLE}</style></head><body><h1>nbtrack projects</h1>"
            f"<p class=meta>Read-only views of the nbtrack stores under this server's root directory.</p>"
            f"{body}</body></html>")


def report_page(base_url: str, rel: str, store: Store, project: str | None = None, runs: list[str] | None = None,
                metrics: list[str] | None = None, title: str | None = None, notes: str | None = None) -> str:
    """A project, run or report page: the report of these runs, with run links on this server."""
    reader = StoreReader(store, lock_timeout=10.0)
    data = collect(reader, project=project, runs=runs, metrics=metrics)
    if not data.meta["runs"]:
        raise LookupError(f"no runs of project {project!r}" if project else "no runs")
    if title is None:
        title = f"{data.meta['runs'][0]['name']}" if runs is not None and len(runs) == 1 else f"{project or 'all runs'}"
    u = urls(base_url)
    links = {"run": u["run_template"](rel)}
    if runs is not None and len(data.meta["runs"]) == 1 and data.meta["runs"][0].get("project"):
        links["project"] = u["project"](rel, data.meta["runs"][0]["project"])
    return render_page(data, title=title, notes=notes, links=links)
