"""Static picture of the panel for viewers without widgets (GitHub, nbviewer, a reloaded
page without the widget manager).

Laid out as the live panel is (nbtrack/live/layout.py): one chart per metric, sections by
prefix, step metrics as x axes, histograms as heat-maps, the system section collapsed to
one line. A small hand-made SVG: every piece of user text XML-escaped, coordinates
rounded to whole pixels so a panel stays a few kilobytes.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

import numpy as np

from .heatmap_png import heatmap_rgb, png_bytes
from .layout import SYSTEM, is_charted, section_rank, sections, x_metric
from .mirror import m4_reduce

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf"]
CHART_W, CHART_H, COLS = 250, 150, 3
PAD_L, PAD_R, PAD_T, PAD_B = 44, 8, 20, 28
SECTION_H = 22
BUCKETS = 50  # M4 pixel columns per line: at most 200 points
LEGEND_RUNS = 8


@dataclass
class SvgSeries:
    """One series of one run, as the snapshot holds it."""

    run: str
    run_name: str
    key: str
    x: np.ndarray  # global step
    t: np.ndarray  # unix seconds
    y: np.ndarray
    run_index: int = 0


@dataclass
class SvgHist:
    """The kept histograms of one key (columns of 0..255 intensities)."""

    key: str
    steps: list[int]
    lo: list[float]
    hi: list[float]
    counts: np.ndarray


def esc(text: object) -> str:
    return escape(str(text), {'"': "&quot;", "'": "&#39;"})


def _fmt(v: float) -> str:
    if v == 0:
        return "0"
    if not math.isfinite(v):
        return str(v)
    if v == int(v) and abs(v) < 1e4:
        return str(int(v))
    a = abs(v)
    if a >= 1e4:
        for div, suffix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
            if a >= div:
                return f"{v / div:.3g}{suffix}"
    return f"{v:.3g}" if a >= 1e-3 else f"{v:.1e}"


def _against(s: SvgSeries, step_metric: str | None, by_key: Mapping[tuple[str, str], SvgSeries]) -> tuple[np.ndarray, str]:
    """The x values of `s` (its step metric's value at each step when it has one) and the x name."""
    sm = by_key.get((s.run, step_metric)) if step_metric else None
    if sm is None or not len(sm.x):
        return s.x, "step"
    i = np.searchsorted(sm.x, s.x, side="right") - 1
    x = np.where(i >= 0, sm.y[np.clip(i, 0, None)], np.nan)
    return x, str(step_metric)


def _range(lo: float, hi: float) -> tuple[float, float]:
    """A range that shows a single point or a constant series in the middle."""
    if hi > lo:
        return lo, hi
    pad = abs(lo) * 0.1 or 1.0
    return lo - pad, hi + pad


def _chart(out: list[str], ox: int, oy: int, title: str, lines: list[tuple[str, np.ndarray, np.ndarray]], xname: str) -> None:
    pw, ph = CHART_W - PAD_L - PAD_R, CHART_H - PAD_T - PAD_B
    xs = np.concatenate([x for _, x, _ in lines])
    ys = np.concatenate([y for _, _, y in lines])
    ok = np.isfinite(xs) & np.isfinite(ys)
    x0, x1 = _range(float(xs[ok].min()), float(xs[ok].max()))
    y0, y1 = _range(float(ys[ok].min()), float(ys[ok].max()))
    out.append(f'<g transform="translate({ox},{oy})">')
    out.append(f'<text x="{PAD_L}" y="13" font-weight="bold">{esc(title)}</text>')
    out.append(f'<rect x="{PAD_L}" y="{PAD_T}" width="{pw}" height="{ph}" fill="none" stroke="#ccc"/>')
    out.append(f'<text x="{PAD_L - 3}" y="{PAD_T + 8}" text-anchor="end" fill="#666">{esc(_fmt(y1))}</text>')
    out.append(f'<text x="{PAD_L - 3}" y="{PAD_T + ph}" text-anchor="end" fill="#666">{esc(_fmt(y0))}</text>')
    out.append(f'<text x="{PAD_L}" y="{PAD_T + ph + 12}" fill="#666">{esc(_fmt(x0))}</text>')
    out.append(f'<text x="{PAD_L + pw // 2}" y="{PAD_T + ph + 12}" text-anchor="middle" fill="#999">{esc(xname)}</text>')
    out.append(f'<text x="{PAD_L + pw}" y="{PAD_T + ph + 12}" text-anchor="end" fill="#666">{esc(_fmt(x1))}</text>')
    for color, x, y in lines:
        keep = np.isfinite(x) & np.isfinite(y)
        x, y = x[keep], y[keep]
        order = np.argsort(x, kind="stable")
        x, y = x[order], y[order]
        idx = m4_reduce(x, y, BUCKETS)
        px = np.round(PAD_L + (x[idx] - x0) / (x1 - x0) * pw).astype(int)
        py = np.round(PAD_T + ph - (y[idx] - y0) / (y1 - y0) * ph).astype(int)
        pts = [f"{a},{b}" for a, b in zip(px, py)]
        pts = [p for i, p in enumerate(pts) if i == 0 or p != pts[i - 1]]
        if len(pts) == 1:
            out.append(f'<circle cx="{px[0]}" cy="{py[0]}" r="2.5" fill="{color}"/>')
        else:
            out.append(f'<polyline fill="none" stroke="{color}" stroke-width="1.3" points="{" ".join(pts)}"/>')
    out.append("</g>")


def _heatmap(out: list[str], ox: int, oy: int, h: SvgHist) -> None:
    pw, ph = CHART_W - PAD_L - PAD_R, CHART_H - PAD_T - PAD_B
    rgb, vlo, vhi = heatmap_rgb(list(h.counts.astype(float)), h.lo, h.hi, 32)
    src = "data:image/png;base64," + base64.b64encode(png_bytes(rgb)).decode("ascii")
    out.append(f'<g transform="translate({ox},{oy})">')
    out.append(f'<text x="{PAD_L}" y="13" font-weight="bold">{esc(h.key)}</text>')
    out.append(f'<image x="{PAD_L}" y="{PAD_T}" width="{pw}" height="{ph}" preserveAspectRatio="none" '
               f'style="image-rendering:pixelated" href="{src}"/>')
    out.append(f'<rect x="{PAD_L}" y="{PAD_T}" width="{pw}" height="{ph}" fill="none" stroke="#ccc"/>')
    out.append(f'<text x="{PAD_L - 3}" y="{PAD_T + 8}" text-anchor="end" fill="#666">{esc(_fmt(vhi))}</text>')
    out.append(f'<text x="{PAD_L - 3}" y="{PAD_T + ph}" text-anchor="end" fill="#666">{esc(_fmt(vlo))}</text>')
    out.append(f'<text x="{PAD_L}" y="{PAD_T + ph + 12}" fill="#666">{esc(h.steps[0])}</text>')
    out.append(f'<text x="{PAD_L + pw // 2}" y="{PAD_T + ph + 12}" text-anchor="middle" fill="#999">step</text>')
    out.append(f'<text x="{PAD_L + pw}" y="{PAD_T + ph + 12}" text-anchor="end" fill="#666">{esc(h.steps[-1])}</text>')
    out.append("</g>")


def render_svg(series: Sequence[SvgSeries], metrics: Mapping[str, Mapping[str, Any]] | None = None, title: str = "",
               state: str = "", compare: bool = False, hists: Sequence[SvgHist] = ()) -> str:
    """SVG of a panel: ``series`` of one run (or several when ``compare``), ``metrics``
    the define_metric definitions by run id, ``hists`` the histograms by key."""
    metrics = metrics or {}
    series = [s for s in series if len(s.x)]
    by_key = {(s.run, s.key): s for s in series}
    charted = [s for s in series if is_charted(s.key, metrics.get(s.run))]
    hist_by_key = {h.key: h for h in hists if h.steps and len(h.counts)}
    layout = sections([s.key for s in charted] + list(hist_by_key))
    runs = sorted({(s.run_index, s.run_name) for s in series})
    width = CHART_W * COLS
    body: list[str] = []
    y = 26
    if compare and runs:
        lx = 8
        for index, name in runs[:LEGEND_RUNS]:
            label = name if len(name) <= 24 else name[:23] + "…"
            body.append(f'<rect x="{lx}" y="{y - 8}" width="10" height="3" fill="{PALETTE[index % len(PALETTE)]}"/>'
                        f'<text x="{lx + 13}" y="{y}">{esc(label)}</text>')
            lx += 22 + 6 * len(label)
        if len(runs) > LEGEND_RUNS:
            body.append(f'<text x="{lx}" y="{y}" fill="#666">+{len(runs) - LEGEND_RUNS} more</text>')
        y += 16
    for name, keys in sorted(layout, key=lambda sk: section_rank(sk[0])):
        label = name or "charts"
        if name == SYSTEM:
            body.append(f'<text x="8" y="{y + 15}" fill="#666">&#9656; {esc(label)} ({len(keys)} charts, collapsed)</text>')
            y += SECTION_H
            continue
        body.append(f'<text x="8" y="{y + 15}" font-weight="bold">&#9662; {esc(label)}</text>')
        y += SECTION_H
        for i, key in enumerate(keys):
            ox, oy = (i % COLS) * CHART_W, y + (i // COLS) * CHART_H
            if key in hist_by_key:
                _heatmap(body, ox, oy, hist_by_key[key])
                continue
            lines = []
            xname = "step"
            for s in (s for s in charted if s.key == key):
                x, xname = _against(s, x_metric(key, metrics.get(s.run)), by_key)
                lines.append((PALETTE[(s.run_index if compare else 0) % len(PALETTE)], x, s.y))
            _chart(body, ox, oy, key, lines, xname)
        y += math.ceil(len(keys) / COLS) * CHART_H
    if not layout:
        body.append(f'<text x="8" y="{y + 16}" fill="#666">no metrics logged yet</text>')
        y += 24
    height = y + 6
    head = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
            f'<rect width="{width}" height="{height}" fill="#fff"/>',
            f'<text x="8" y="17" font-size="13" font-weight="bold">{esc(title)}'
            f'<tspan font-weight="normal" fill="#666"> {esc(state)}</tspan></text>']
    return "".join(head + body + ["</svg>"])
