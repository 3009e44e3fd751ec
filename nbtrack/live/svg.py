"""Static picture of the curves for viewers without widgets (GitHub, nbviewer).

A small hand-made SVG: one panel per metric group, one polyline per series, every piece
of user text XML-escaped. No browser, no plotting library.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from xml.sax.saxutils import escape

import numpy as np

from .mirror import m4_reduce

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf"]
PANEL_W, PANEL_H, COLS = 380, 170, 2
PAD_L, PAD_R, PAD_T, PAD_B = 48, 8, 22, 34


def esc(text: object) -> str:
    return escape(str(text), {'"': "&quot;", "'": "&#39;"})


def group_of(key: str) -> str:
    return key.split("/", 1)[0] if "/" in key else ""


def _fmt(v: float) -> str:
    if v == 0 or not math.isfinite(v):
        return str(v)
    a = abs(v)
    return f"{v:.3g}" if 1e-3 <= a < 1e5 else f"{v:.2e}"


def render_svg(series: Iterable[tuple[str, str, np.ndarray, np.ndarray]], title: str = "", state: str = "") -> str:
    """SVG for ``(label, key, x, y)`` series, grouped into panels by the key's prefix."""
    groups: dict[str, list[tuple[str, str, np.ndarray, np.ndarray]]] = {}
    for label, key, x, y in series:
        if len(x):
            groups.setdefault(group_of(key), []).append((label, key, np.asarray(x, float), np.asarray(y, float)))
    names = sorted(groups, key=lambda g: (g == "system", g != "", g))
    rows = max(1, math.ceil(len(names) / COLS))
    width, height = PANEL_W * COLS, 26 + rows * PANEL_H
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
           f'<rect width="{width}" height="{height}" fill="#fff"/>',
           f'<text x="8" y="17" font-size="13" font-weight="bold">{esc(title)}'
           f'<tspan font-weight="normal" fill="#666"> {esc(state)}</tspan></text>']
    if not names:
        out.append('<text x="8" y="44" fill="#666">no metrics logged yet</text>')
    for gi, g in enumerate(names):
        ox, oy = (gi % COLS) * PANEL_W, 26 + (gi // COLS) * PANEL_H
        items = groups[g]
        xs = np.concatenate([s[2] for s in items])
        ys = np.concatenate([s[3] for s in items])
        x0, x1, y0, y1 = float(xs.min()), float(xs.max()), float(ys.min()), float(ys.max())
        if x1 <= x0:
            x1 = x0 + 1
        if y1 <= y0:
            y0, y1 = y0 - 0.5, y1 + 0.5
        pw, ph = PANEL_W - PAD_L - PAD_R, PANEL_H - PAD_T - PAD_B
        out.append(f'<g transform="translate({ox},{oy})">')
        out.append(f'<text x="{PAD_L}" y="14" font-weight="bold">{esc(g or "charts")}</text>')
        out.append(f'<rect x="{PAD_L}" y="{PAD_T}" width="{pw}" height="{ph}" fill="none" stroke="#ccc"/>')
        out.append(f'<text x="{PAD_L - 4}" y="{PAD_T + 8}" text-anchor="end" fill="#666">{esc(_fmt(y1))}</text>')
        out.append(f'<text x="{PAD_L - 4}" y="{PAD_T + ph}" text-anchor="end" fill="#666">{esc(_fmt(y0))}</text>')
        out.append(f'<text x="{PAD_L}" y="{PAD_T + ph + 12}" fill="#666">{esc(_fmt(x0))}</text>')
        out.append(f'<text x="{PAD_L + pw}" y="{PAD_T + ph + 12}" text-anchor="end" fill="#666">{esc(_fmt(x1))}</text>')
        lx = PAD_L
        for si, (label, key, x, y) in enumerate(items):
            color = PALETTE[si % len(PALETTE)]
            idx = m4_reduce(x, y, 150)
            px = PAD_L + (x[idx] - x0) / (x1 - x0) * pw
            py = PAD_T + ph - (y[idx] - y0) / (y1 - y0) * ph
            pts = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(px, py))
            out.append(f'<polyline fill="none" stroke="{color}" stroke-width="1.3" points="{pts}"/>')
            if lx < PANEL_W - 40:
                out.append(f'<rect x="{lx}" y="{PANEL_H - 12}" width="8" height="8" fill="{color}"/>'
                           f'<text x="{lx + 11}" y="{PANEL_H - 4}">{esc(label)}</text>')
                lx += 20 + 6.5 * min(len(label), 40)
        out.append("</g>")
    out.append("</svg>")
    return "".join(out)
