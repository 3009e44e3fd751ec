"""The widget code, shared by every panel of a kernel instead of copied into each one.

anywidget syncs ``_esm`` as a trait of each widget instance: every panel would send the
~70 KB bundle to the browser again and a saved notebook would store it once per panel
(116-148 KB per panel). Instead one hidden ``WidgetCode`` model per kernel holds the
bundle and its CSS; each panel's ``_esm`` is a small loader (js/src/live/loader.ts) that finds
that model by its id (``code_ref``), imports the bundle once per page and delegates to
it. The holder is never displayed, yet a saved notebook keeps it: the widget manager
saves the state of every model it knows (JupyterLab and Notebook 7 with saveState,
nbclient's store_widget_state), so a reloaded page finds it again.

``NBTRACK_WIDGET_CODE=inline`` (and Colab, where each output is its own iframe with
its own models) gives every panel its own copy, as before.
"""

from __future__ import annotations

import hashlib
import os
import pathlib
import sys

import anywidget
import traitlets

STATIC = pathlib.Path(__file__).resolve().parent.parent / "static"

#: the ``_esm`` of a widget whose bundle was not built: it says how to build it
MISSING_ESM = """
export default { render({ el }) {
  el.textContent = "nbtrack: the widget bundle is missing (build it with `npm run build` in js/).";
} };
"""


def widget_asset(name: str, fallback: str) -> pathlib.Path | str:
    """A built file of nbtrack/static/ for a widget's ``_esm``/``_css`` (anywidget reads a
    path, and watches it in development), or ``fallback`` when it was not built."""
    p = STATIC / name
    return p if p.is_file() else fallback


class WidgetCode(anywidget.AnyWidget):
    """Holds the live panel's bundle and CSS for the loaders of every panel. Not displayed."""

    _esm = "export default {};"
    code = traitlets.Unicode().tag(sync=True)
    css = traitlets.Unicode().tag(sync=True)
    digest = traitlets.Unicode().tag(sync=True)


_shared: WidgetCode | None = None


def shared_code_wanted() -> bool:
    """False when each panel must carry its own copy of the code."""
    if os.environ.get("NBTRACK_WIDGET_CODE", "shared").strip().lower() == "inline":
        return False
    return "google.colab" not in sys.modules


def read_bundle() -> tuple[str, str] | None:
    """(javascript, css) of the built widget, or None when the bundle was not built."""
    js = STATIC / "widget.js"
    if not js.is_file():
        return None
    css = STATIC / "widget.css"
    return js.read_text(encoding="utf-8"), css.read_text(encoding="utf-8") if css.is_file() else ""


def shared_code() -> WidgetCode | None:
    """This kernel's code holder, created at first use (again if its comm was closed)."""
    global _shared
    if _shared is not None and getattr(_shared, "comm", None) is not None:
        return _shared
    bundle = read_bundle()
    if bundle is None:
        return None
    code, css = bundle
    digest = hashlib.sha256((code + "\0" + css).encode("utf-8")).hexdigest()[:16]
    _shared = WidgetCode(code=code, css=css, digest=digest)
    return _shared
