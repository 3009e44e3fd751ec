// Histograms over steps as a heat-map (wandb's and TensorBoard's distribution view):
// one column per logged step, placed at its step; each column's bins spread over the
// value axis shared by all steps, shaded by count relative to the column's fullest bin.
// Plain data in (HistData), a canvas out; hover reads out the step and value range.
import type { HistData } from "./layout";
import { fmtValue } from "./units";
import { h } from "../util";

const HEIGHT = 200;
const ROWS = 64; // value-axis cells drawn per column
const PAD_L = 60;
const PAD_B = 18;
const PAD_T = 4;
const PAD_R = 6;

/** Counts over equal bins of [lo, hi] spread onto `rows` equal bins of [vlo, vhi]. */
export function projectColumn(counts: ArrayLike<number>, lo: number, hi: number, vlo: number, vhi: number, rows: number): Float64Array {
  const n = counts.length;
  const cum = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) cum[i + 1] = cum[i] + (counts[i] > 0 ? counts[i] : 0);
  const at = (v: number) => {
    if (v <= lo) return 0;
    if (v >= hi) return cum[n];
    const f = ((v - lo) / (hi - lo)) * n;
    const i = Math.floor(f);
    return cum[i] + (cum[i + 1] - cum[i]) * (f - i);
  };
  const out = new Float64Array(rows);
  let prev = at(vlo);
  for (let r = 0; r < rows; r++) {
    const next = at(vlo + ((vhi - vlo) * (r + 1)) / rows);
    out[r] = next - prev;
    prev = next;
  }
  return out;
}

export class HeatmapChart {
  el = h("div", "nbt-chart nbt-hist");
  private canvas = h("canvas");
  private readout = h("div", "nbt-legend");
  private data: HistData | null = null;
  private ro: ResizeObserver | null = null;
  private width = 0;

  constructor(title: string) {
    this.el.dataset.key = title;
    this.el.dataset.group = title;
    this.el.dataset.kind = "hist";
    const head = h("div", "nbt-chart-head");
    head.append(h("span", "nbt-chart-title", title), h("span", "nbt-chart-x", "distribution vs step"));
    this.canvas.className = "nbt-hist-canvas";
    this.el.append(head, this.canvas, this.readout);
    this.canvas.addEventListener("mousemove", (e) => this.hover(e));
    this.canvas.addEventListener("mouseleave", () => this.hover(null));
    if (typeof ResizeObserver !== "undefined") {
      this.ro = new ResizeObserver(() => {
        const w = Math.floor(this.el.clientWidth) - 8;
        if (w > 0 && Math.abs(w - this.width) > 1) this.draw();
      });
      this.ro.observe(this.el);
    }
  }

  update(hists: HistData[]): void {
    this.data = hists[0] ?? null; // the panel's own run (histograms are not overlaid)
    this.el.dataset.steps = String(this.data ? this.data.steps.length : 0);
    this.draw();
  }

  private range(): [number, number] {
    const d = this.data!;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < d.steps.length; i++) {
      lo = Math.min(lo, d.lo[i]);
      hi = Math.max(hi, d.hi[i]);
    }
    return hi > lo ? [lo, hi] : [lo - 0.5, hi + 0.5];
  }

  private columnEdges(x0: number, pw: number): number[] {
    const steps = this.data!.steps;
    const s0 = steps[0];
    const s1 = steps[steps.length - 1];
    const n = steps.length;
    // columns at their steps; each spans to the next step (the last as wide as the one before)
    const pos = steps.map((s) => (s1 > s0 ? x0 + ((s - s0) / (s1 - s0)) * pw * (n > 1 ? (n - 1) / n : 1) : x0));
    const edges = [...pos, n > 1 ? x0 + pw : x0 + pw];
    return edges;
  }

  draw(): void {
    const c = this.canvas;
    const w = Math.max(200, Math.floor(this.el.clientWidth) - 8 || 400);
    this.width = w;
    const dpr = window.devicePixelRatio || 1;
    c.width = Math.round(w * dpr);
    c.height = Math.round(HEIGHT * dpr);
    c.style.width = `${w}px`;
    c.style.height = `${HEIGHT}px`;
    const g = c.getContext("2d");
    if (!g) return;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, HEIGHT);
    const d = this.data;
    if (!d || !d.steps.length) return;
    const [vlo, vhi] = this.range();
    const pw = w - PAD_L - PAD_R;
    const ph = HEIGHT - PAD_T - PAD_B;
    const edges = this.columnEdges(PAD_L, pw);
    for (let i = 0; i < d.steps.length; i++) {
      const col = projectColumn(d.counts[i], d.lo[i], d.hi[i], vlo, vhi, ROWS);
      let top = 0;
      for (const v of col) top = Math.max(top, v);
      if (top <= 0) continue;
      const xa = edges[i];
      const xb = Math.max(edges[i + 1], xa + 1);
      for (let r = 0; r < ROWS; r++) {
        const level = col[r] / top;
        if (level <= 0.002) continue;
        const ya = PAD_T + ph - ((r + 1) * ph) / ROWS;
        g.fillStyle = `rgba(31,119,180,${(0.12 + 0.88 * level).toFixed(3)})`;
        g.fillRect(xa, ya, xb - xa + 0.5, ph / ROWS + 0.5);
      }
    }
    const fg = getComputedStyle(this.el).color || "#333";
    g.strokeStyle = "rgba(128,128,128,0.4)";
    g.strokeRect(PAD_L + 0.5, PAD_T + 0.5, pw, ph);
    g.fillStyle = fg;
    g.font = "11px sans-serif";
    g.textAlign = "right";
    const ticks = [vlo, (vlo + vhi) / 2, vhi];
    ticks.forEach((t, i) => g.fillText(fmtValue(t), PAD_L - 4, PAD_T + ph - (i * ph) / 2 + (i === 0 ? 0 : i === 2 ? 9 : 4)));
    g.textAlign = "left";
    g.fillText(String(d.steps[0]), PAD_L, HEIGHT - 4);
    g.textAlign = "right";
    g.fillText(String(d.steps[d.steps.length - 1]), PAD_L + pw, HEIGHT - 4);
    g.textAlign = "center";
    g.fillText("step", PAD_L + pw / 2, HEIGHT - 4);
  }

  private hover(e: MouseEvent | null): void {
    const d = this.data;
    if (!e || !d || !d.steps.length) {
      this.readout.textContent = d && d.steps.length ? `${d.steps.length} steps, latest ${d.steps[d.steps.length - 1]}` : "";
      return;
    }
    const rect = this.canvas.getBoundingClientRect();
    const x = e.clientX - rect.left;
    const edges = this.columnEdges(PAD_L, this.width - PAD_L - PAD_R);
    let i = 0;
    while (i < d.steps.length - 1 && x >= edges[i + 1]) i++;
    this.readout.textContent = `step ${d.steps[i]}: ${fmtValue(d.lo[i])} … ${fmtValue(d.hi[i])}`;
  }

  destroy(): void {
    this.ro?.disconnect();
    this.el.remove();
  }
}
