// Parallel coordinates drawn by hand: one vertical axis per parameter plus the metric,
// one polyline per run (canvas, so 10k runs stay fast), coloured by the metric; drag on
// an axis to brush a range, which filters the table. Axes and labels are SVG text.
import type { Brush, TableData } from "./data";
import { fmtNum, h } from "../shared/util";

const SVGNS = "http://www.w3.org/2000/svg";
const H = 260;
const PAD_T = 28;
const PAD_B = 22;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/** Viridis-like ramp, t in [0, 1]. */
export function ramp(t: number): string {
  const stops = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
  t = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0));
  const p = t * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(p));
  const f = p - i;
  const c = stops[i].map((v, k) => Math.round(v + (stops[i + 1][k] - v) * f));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

interface Axis {
  key: string;
  label: string;
  vals: Float64Array; // numeric position source (categories mapped to codes)
  cats: string[] | null;
  lo: number;
  hi: number;
  log: boolean;
}

export class ParCoords {
  el = h("div", "nbt-parcoords");
  private canvas = h("canvas");
  private overlay = svg("svg", { class: "nbt-pc-svg" });
  brushes: Brush[] = [];
  private axes: Axis[] = [];
  private width = 800;

  constructor(private onBrush: (b: Brush[]) => void) {
    const wrap = h("div", "nbt-pc-wrap");
    wrap.style.height = `${H}px`;
    wrap.append(this.canvas, this.overlay);
    this.el.append(wrap);
  }

  private axis(data: TableData, key: string): Axis | null {
    const col = data.byKey.get(key);
    if (!col) return null;
    const n = data.length;
    let vals = data.num(key);
    let cats: string[] | null = null;
    if (!vals) {
      const sv = data.values.get(key) as (string | null)[];
      cats = [...new Set(sv.filter((s): s is string => s !== null))].sort().slice(0, 50);
      const pos = new Map(cats.map((c, i) => [c, i]));
      vals = Float64Array.from({ length: n }, (_, i) => (sv[i] === null || !pos.has(sv[i]!) ? NaN : pos.get(sv[i]!)!));
    }
    let lo = Infinity, hi = -Infinity, pos = true;
    for (let i = 0; i < n; i++) { const v = vals[i]; if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); if (v <= 0) pos = false; } }
    if (!Number.isFinite(lo)) return null;
    const log = !cats && pos && hi / lo > 100;
    if (cats) { lo = -0.5; hi = cats.length - 0.5; }
    return { key, label: col.label + (col.group === "summary" ? " (metric)" : ""), vals, cats, lo, hi, log };
  }

  private y(a: Axis, v: number): number {
    const t = a.log ? (Math.log10(v) - Math.log10(a.lo)) / (Math.log10(a.hi) - Math.log10(a.lo) || 1) : (v - a.lo) / (a.hi - a.lo || 1);
    return PAD_T + (1 - (a.hi === a.lo ? 0.5 : t)) * (H - PAD_T - PAD_B);
  }

  private inv(a: Axis, py: number): number {
    const t = 1 - (py - PAD_T) / (H - PAD_T - PAD_B);
    return a.log ? 10 ** (Math.log10(a.lo) + t * (Math.log10(a.hi) - Math.log10(a.lo))) : a.lo + t * (a.hi - a.lo);
  }

  /** Draw `rows` (all passing the table filter) over axes `keys`; the last key is the metric. */
  draw(data: TableData, rows: Int32Array, keys: string[], metric: string, highlight: Set<string>): void {
    this.width = Math.max(300, this.el.clientWidth || 800);
    this.axes = [...keys, metric].map((k) => this.axis(data, k)).filter((a): a is Axis => a !== null);
    const dpr = window.devicePixelRatio || 1;
    this.canvas.width = this.width * dpr;
    this.canvas.height = H * dpr;
    this.canvas.style.width = `${this.width}px`;
    this.canvas.style.height = `${H}px`;
    this.overlay.setAttribute("width", String(this.width));
    this.overlay.setAttribute("height", String(H));
    this.overlay.textContent = "";
    this.el.dataset.axes = String(this.axes.length);
    this.el.dataset.lines = "0";
    const ctx = this.canvas.getContext("2d");
    if (!ctx || this.axes.length < 2) {
      ctx?.clearRect(0, 0, this.canvas.width, this.canvas.height);
      return;
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, this.width, H);
    const A = this.axes.length;
    const xs = this.axes.map((_, i) => 60 + (i * (this.width - 120)) / (A - 1));
    const m = this.axes[A - 1];
    const mv = m.vals;
    const inBrush = (i: number) => this.brushes.every((b) => { const a = this.axes.find((x) => x.key === b.key); return !a || (a.vals[i] >= b.lo && a.vals[i] <= b.hi); });
    ctx.lineWidth = rows.length > 2000 ? 0.6 : 1.2;
    const alphaIn = rows.length > 2000 ? 0.25 : 0.75;
    let drawn = 0;
    for (const pass of [0, 1, 2]) {
      for (let r = 0; r < rows.length; r++) {
        const i = rows[r];
        const hot = highlight.has(data.ids[i]);
        const sel = inBrush(i);
        if ((pass === 0 && sel) || (pass === 1 && (!sel || hot)) || (pass === 2 && !hot)) continue;
        ctx.strokeStyle = pass === 0 ? "rgba(160,160,160,0.12)" : ramp((mv[i] - m.lo) / (m.hi - m.lo || 1));
        ctx.globalAlpha = pass === 1 ? alphaIn : 1;
        ctx.lineWidth = pass === 2 ? 2.5 : rows.length > 2000 ? 0.6 : 1.2;
        ctx.beginPath();
        let pen = false;
        for (let k = 0; k < A; k++) {
          const v = this.axes[k].vals[i];
          if (!Number.isFinite(v)) { pen = false; continue; }
          const yy = this.y(this.axes[k], v);
          if (pen) ctx.lineTo(xs[k], yy); else ctx.moveTo(xs[k], yy);
          pen = true;
        }
        ctx.stroke();
        if (pass) drawn++;
      }
    }
    ctx.globalAlpha = 1;
    this.el.dataset.lines = String(drawn);
    this.axes.forEach((a, k) => this.drawAxis(a, xs[k]));
  }

  private drawAxis(a: Axis, x: number): void {
    const g = svg("g", { class: "nbt-pc-axis" });
    g.dataset.key = a.key;
    g.append(svg("line", { x1: x, x2: x, y1: PAD_T, y2: H - PAD_B, class: "nbt-pc-line" }));
    const title = svg("text", { x, y: 12, "text-anchor": "middle", class: "nbt-pc-title" });
    title.textContent = a.label.length > 22 ? a.label.slice(0, 21) + "…" : a.label;
    g.append(title);
    const ticks = a.cats ? a.cats.map((_, i) => i) : [a.lo, (a.lo + a.hi) / 2, a.hi].map((v, i) => (a.log && i === 1 ? Math.sqrt(a.lo * a.hi) : v));
    for (const t of ticks) {
      const ty = this.y(a, t);
      const lab = svg("text", { x: x - 4, y: ty + 3, "text-anchor": "end", class: "nbt-pc-tick" });
      lab.textContent = a.cats ? a.cats[t].slice(0, 14) : fmtNum(t);
      g.append(lab);
    }
    const b = this.brushes.find((br) => br.key === a.key);
    if (b) {
      const y1 = this.y(a, Math.max(Math.min(b.hi, a.hi), a.lo)), y2 = this.y(a, Math.min(Math.max(b.lo, a.lo), a.hi));
      g.append(svg("rect", { x: x - 7, y: Math.min(y1, y2), width: 14, height: Math.max(2, Math.abs(y2 - y1)), class: "nbt-pc-brush" }));
    }
    const hit = svg("rect", { x: x - 12, y: PAD_T, width: 24, height: H - PAD_T - PAD_B, class: "nbt-pc-hit" });
    hit.addEventListener("mousedown", (ev) => this.startBrush(ev as MouseEvent, a));
    hit.addEventListener("dblclick", () => this.setBrush(a.key, null));
    g.append(hit);
    this.overlay.append(g);
  }

  private startBrush(ev: MouseEvent, a: Axis): void {
    ev.preventDefault();
    const top = this.overlay.getBoundingClientRect().top;
    const y0 = ev.clientY - top;
    const move = (e: MouseEvent) => {
      const y1 = e.clientY - top;
      if (Math.abs(y1 - y0) < 3) return;
      const v0 = this.inv(a, y0), v1 = this.inv(a, y1);
      this.setBrush(a.key, { key: a.key, lo: Math.min(v0, v1), hi: Math.max(v0, v1) }, false);
    };
    const up = (e: MouseEvent) => {
      window.removeEventListener("mousemove", move);
      window.removeEventListener("mouseup", up);
      if (Math.abs(e.clientY - top - y0) < 3) this.setBrush(a.key, null);
      else this.onBrush(this.brushes);
    };
    window.addEventListener("mousemove", move);
    window.addEventListener("mouseup", up);
  }

  setBrush(key: string, b: Brush | null, notify = true): void {
    this.brushes = this.brushes.filter((x) => x.key !== key);
    if (b) this.brushes.push(b);
    if (notify) this.onBrush(this.brushes);
    else this.onBrush(this.brushes); // live while dragging: the table follows
  }
}
