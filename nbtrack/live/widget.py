"""The anywidget behind the live panel and compare(). Kept small: all drawing is in js/."""

from __future__ import annotations

import base64
import pathlib
import uuid
from typing import Any

import anywidget
import numpy as np
import traitlets

from .svg import render_svg

STATIC = pathlib.Path(__file__).resolve().parent.parent / "static"
_MISSING_ESM = """
export default { render({ el }) {
  el.textContent = "nbtrack: the widget bundle is missing (build it with `npm run build` in js/).";
} };
"""


def _asset(name: str, fallback: str) -> pathlib.Path | str:
    p = STATIC / name
    return p if p.is_file() else fallback


def decode_series(s: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, t, y) arrays of a snapshot series (see messages.SnapSeries)."""
    x = np.frombuffer(base64.b64decode(s["x"]), "<f8")
    t = np.frombuffer(base64.b64decode(s["t"]), "<f4").astype(float) + float(s.get("t0", 0.0))
    y = np.frombuffer(base64.b64decode(s["y"]), "<f4").astype(float)
    return x, t, y


class LivePanel(anywidget.AnyWidget):
    """One panel model; displaying it again adds a view of the same model."""

    _esm = _asset("widget.js", _MISSING_ESM)
    _css = _asset("widget.css", "")

    uid = traitlets.Unicode().tag(sync=True)  # keys the browser's per-model store (views get proxies, not the model)
    mode = traitlets.Unicode("live").tag(sync=True)  # "live" | "compare"
    run = traitlets.Dict().tag(sync=True)  # messages.RunInfo of the live run
    runs = traitlets.List().tag(sync=True)  # RunInfo of compared runs, or the earlier runs shown faintly
    snapshot = traitlets.Dict().tag(sync=True)  # messages.Snapshot: compact resync state, saved
    earlier = traitlets.List().tag(sync=True)  # SnapSeries of earlier runs (live mode)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("uid", uuid.uuid4().hex)
        super().__init__(**kwargs)
        self._resync_handlers: list[Any] = []
        self.on_msg(self._on_custom)

    def _on_custom(self, _w: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "resync":
            for h in self._resync_handlers:
                h()

    def svg(self) -> str:
        """The static picture of the current snapshot (no browser needed)."""
        names = {r.get("id"): r.get("name") or r.get("id") for r in [self.run, *self.runs] if r}
        many = len({s["run"] for s in self.snapshot.get("series", [])}) > 1
        series = []
        for s in self.snapshot.get("series", []):
            x, _t, y = decode_series(s)
            label = f"{names.get(s['run'], s['run'])} {s['key']}" if many else s["key"]
            series.append((label, s["key"], x, y))
        title = self.run.get("name") or self.run.get("id") or ("compare" if self.mode == "compare" else "")
        return render_svg(series, title=str(title), state=str(self.run.get("state", "")))

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = super()._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        if isinstance(data, dict):
            try:
                data["image/svg+xml"] = self.svg()
            except Exception:  # a picture is a nicety; never break the display
                pass
        return bundle
