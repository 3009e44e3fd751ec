"""The anywidget behind the live panel and compare(). Kept small: all drawing is in js/."""

from __future__ import annotations

import base64
import logging
import uuid
from collections.abc import Callable
from typing import Any

import anywidget
import numpy as np
import traitlets

from .code import MISSING_ESM, STATIC, shared_code, shared_code_wanted, widget_asset
from .histograms import HIST_BINS
from .messages import RunInfo, SnapHist, SnapSeries
from .svg import SvgHist, SvgSeries, render_svg

_log = logging.getLogger(__name__)


def decode_series(s: SnapSeries) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, t, y) arrays of a snapshot series (see messages.SnapSeries)."""
    x = np.frombuffer(base64.b64decode(s["x"]), "<f4" if s.get("xk") == "f4" else "<f8").astype(float)
    t = np.frombuffer(base64.b64decode(s["t"]), "<f4").astype(float) + float(s.get("t0", 0.0))
    y = np.frombuffer(base64.b64decode(s["y"]), "<f4").astype(float)
    return x, t, y


def decode_hist(h: SnapHist) -> np.ndarray:
    """The (steps x bins) 0..255 intensities of a snapshot histogram (messages.SnapHist)."""
    raw = np.frombuffer(base64.b64decode(h.get("counts", "")), np.uint8)
    bins = int(h.get("bins") or HIST_BINS)
    return raw.reshape(-1, bins) if len(raw) else np.zeros((0, bins), np.uint8)


class LivePanel(anywidget.AnyWidget):
    """One panel model; displaying it again adds a view of the same model.

    Its ``_esm`` is a small loader that takes the code from the kernel's shared
    ``WidgetCode`` model named by ``code_ref`` (see nbtrack/live/code.py)."""

    _esm = widget_asset("loader.js", MISSING_ESM)

    uid = traitlets.Unicode().tag(sync=True)  # keys the browser's per-model store (views get proxies, not the model)
    mode = traitlets.Unicode("live").tag(sync=True)  # "live" | "compare"
    run = traitlets.Dict().tag(sync=True)  # messages.RunInfo of the live run
    runs: traitlets.List[RunInfo] = traitlets.List().tag(sync=True)  # RunInfo of compared runs (compare mode)
    snapshot = traitlets.Dict().tag(sync=True)  # messages.Snapshot: compact resync state, saved
    code_ref = traitlets.Unicode().tag(sync=True)  # model id of the WidgetCode holding the bundle
    code_digest = traitlets.Unicode().tag(sync=True)  # which bundle (a page imports each one once)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("uid", uuid.uuid4().hex)
        super().__init__(**kwargs)
        self._resync_handlers: list[Callable[[], None]] = []
        self.on_msg(self._on_custom)

    def on_resync(self, handler: Callable[[], None]) -> None:
        """Call ``handler`` (in the kernel's thread) when a page asks for full resets
        (messages.ResyncMsg: it saw a gap in the deltas)."""
        self._resync_handlers.append(handler)

    def _on_custom(self, _w: object, content: object, _buffers: object) -> None:
        # the only browser->kernel message is PanelBrowserMsg (a ResyncMsg); anything else
        # comes from a page with another bundle version and is ignored
        if isinstance(content, dict) and content.get("type") == "resync":
            for h in self._resync_handlers:
                h()

    def svg(self) -> str:
        """The static picture of the current snapshot (no browser needed)."""
        infos = [r for r in [self.run, *self.runs] if r]
        names = {r.get("id"): r.get("name") or r.get("id") for r in infos}
        metrics = {r.get("id", ""): r.get("metrics") or {} for r in infos}
        order = [r.get("id") for r in infos]
        series: list[SvgSeries] = []
        for s in self.snapshot.get("series", []):
            x, t, y = decode_series(s)
            rid = s["run"]
            series.append(SvgSeries(run=rid, run_name=str(names.get(rid, rid)), key=s["key"], x=x, t=t, y=y,
                                    run_index=order.index(rid) if rid in order else 0))
        hists = [SvgHist(key=h["key"], steps=list(h.get("steps", [])), lo=list(h.get("lo", [])),
                         hi=list(h.get("hi", [])), counts=decode_hist(h)) for h in self.snapshot.get("hists", [])]
        title = self.run.get("name") or self.run.get("id") or ("compare" if self.mode == "compare" else "")
        return render_svg(series, metrics, title=str(title), state=str(self.run.get("state", "")),
                          compare=self.mode == "compare", hists=hists)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = super()._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        if isinstance(data, dict):
            try:
                data["image/svg+xml"] = self.svg()
            except Exception:  # boundary: the picture is a nicety; never break the display
                _log.debug("no SVG fallback for the live panel", exc_info=True)
        return bundle


class InlineLivePanel(LivePanel):
    """A panel carrying its own copy of the code (NBTRACK_WIDGET_CODE=inline, Colab)."""

    _esm = widget_asset("widget.js", MISSING_ESM)
    _css = widget_asset("widget.css", "")


def make_panel(**traits: Any) -> LivePanel:
    """A live or compare panel, sharing the kernel's code holder when it can."""
    holder = shared_code() if shared_code_wanted() and (STATIC / "loader.js").is_file() else None
    if holder is None:
        return InlineLivePanel(**traits)
    return LivePanel(code_ref=holder.model_id, code_digest=holder.digest, **traits)
