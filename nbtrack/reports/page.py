"""One self-contained HTML page: the report's bundle (JS + CSS) and data inlined.

Nothing is loaded from anywhere: the page carries its script, its styles, its data and
its thumbnails (``data:`` URLs). A Content-Security-Policy in the page allows only its
own script (by hash), inline styles and ``data:``/``blob:`` images, and no connection,
so even a mistake could not make it fetch anything. User text reaches the page as data
the script sets as text; the title is escaped here; the notes are markdown rendered
with raw HTML disabled (``notes.py``).
"""

from __future__ import annotations

import base64
import hashlib
import html
import pathlib
import time

from .collect import ReportData
from .notes import render_notes
from .pack import encode

STATIC = pathlib.Path(__file__).resolve().parent.parent / "static"


class BundleMissing(RuntimeError):
    """The report's JavaScript bundle has not been built."""


def _asset(name: str) -> str:
    path = STATIC / name
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BundleMissing(f"{path} is missing: build the JavaScript bundle with `cd js && npm install && npm run build` "
                            "(a wheel of nbtrack ships it built)") from None


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def csp(script: str) -> str:
    """The page's Content-Security-Policy: its own script only, no connection of any kind."""
    return ("default-src 'none'; "
            f"script-src 'sha256-{_sha256(script)}'; "
            "style-src 'unsafe-inline'; img-src data: blob:; font-src data:; "
            "connect-src 'none'; base-uri 'none'; form-action 'none'")


def render_page(data: ReportData, title: str, notes: str | None = None,
                links: dict[str, str] | None = None) -> str:
    """The whole HTML document for a report."""
    script = _asset("report.js")
    if "</script" in script.lower():
        raise BundleMissing("report.js contains '</script' and cannot be inlined; rebuild it with esbuild")
    style = _asset("report.css")
    data.meta["title"] = title
    data.meta["links"] = links or {}
    payload = encode(data)
    runs = data.meta.get("runs", [])
    project = data.meta.get("project")
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(data.meta.get("generated_at", time.time())))
    total = int(data.meta.get("total_runs", len(runs)))
    facts = [f"{total} run{'s' if total != 1 else ''}"]
    if total > len(runs):
        facts[0] += f" (curves and details of the latest {len(runs)})"
    if project:
        facts.insert(0, f"project {project}")
    facts.append(f"generated {when} by nbtrack")
    notes_html = render_notes(notes)
    e = html.escape
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{e(csp(script))}">
<meta name="generator" content="nbtrack">
<title>{e(title)}</title>
<style>{style}</style>
</head><body class="nbt-report-body">
<main class="nbt-report" id="nbt-report">
<header class="nbt-report-head"><h1 class="nbt-report-title">{e(title)}</h1>
<div class="nbt-meta">{e(" · ".join(facts))}</div></header>
{'<section class="nbt-report-notes" id="nbt-notes">' + notes_html + '</section>' if notes_html else ''}
<noscript>This report draws its charts with JavaScript; enable it to see them.</noscript>
<div id="nbt-report-app" data-state="loading">loading…</div>
</main>
<script id="nbtrack-data" type="application/octet-stream">{payload}</script>
<script type="module">{script}</script>
</body></html>
"""


def iframe(page: str, height: int = 900) -> str:
    """The page inside a sandboxed iframe (``srcdoc``), for showing it in a notebook output."""
    return (f'<iframe class="nbtrack-report-frame" sandbox="allow-scripts allow-popups" '
            f'style="width:100%;height:{int(height)}px;border:1px solid rgba(128,128,128,.3);border-radius:4px" '
            f'srcdoc="{html.escape(page, quote=True)}"></iframe>')

