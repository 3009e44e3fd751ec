// One uPlot chart per metric group: smoothed lines over faint raw ones, own legend
// (text only), hover values, drag-zoom, double-click reset, log y.
import uPlot from "uplot";
import { emaDebiased } from "./smooth";
import { align, alpha, fmtDuration, fmtNum, h, unionSorted } from "./util";

export type XMode = "step" | "rel" | "wall";

export interface Line {
  id: string;
  label: string;
  color: string;
  dash?: number[];
  faint: boolean; // earlier runs: thin, dashed, no raw copy, no hover value
  x: Float64Array; // in the chosen x units, sorted
  y: Float64Array;
  n: number;
}

export interface ChartOpts {
  smoothing: number;
  logY: boolean;
  xMode: XMode;
  syncKey: string;
}

const HEIGHT = 210;

export class ChartView {
  el = h("div", "nbt-chart");
  private plotEl = h("div", "nbt-plot");
  private legendEl = h("div", "nbt-legend");
  private xLabel = h("span", "nbt-legend-x");
  private u: uPlot | null = null;
  private structure = "";
  private zoomed = false;
  private lines: Line[] = [];
  private data: uPlot.AlignedData = [[]];
  private opts: ChartOpts | null = null;
  private values: HTMLElement[] = [];
  private items: HTMLElement[] = [];
  private ro: ResizeObserver | null = null;
  private width = 0;

  constructor(title: string, private hidden: Set<string>) {
    this.el.dataset.group = title;
    this.el.append(h("div", "nbt-chart-title", title || "charts"), this.plotEl, this.legendEl);
    if (typeof ResizeObserver !== "undefined") {
      this.ro = new ResizeObserver(() => this.resize());
      this.ro.observe(this.plotEl);
    }
  }

  private resize(): void {
    const w = Math.floor(this.plotEl.clientWidth);
    if (this.u && w > 0 && Math.abs(w - this.width) > 1) {
      this.width = w;
      this.u.setSize({ width: w, height: HEIGHT });
    }
  }

  update(lines: Line[], opts: ChartOpts): void {
    const N = lines.length;
    const ux = unionSorted(lines.map((l) => l.x.subarray(0, l.n)));
    const raw: (number | null)[][] = [];
    const smooth: (number | null)[][] = [];
    for (const l of lines) {
      const r = align(ux, l.x, l.y, l.n, opts.logY);
      raw.push(r);
      smooth.push(opts.smoothing > 0 ? align(ux, l.x, emaDebiased(l.y, l.n, opts.smoothing), l.n, opts.logY) : r);
    }
    this.data = [ux, ...raw, ...smooth] as uPlot.AlignedData;
    const structure = JSON.stringify([opts.xMode, opts.logY, opts.smoothing > 0, lines.map((l) => [l.id, l.color, l.faint])]);
    this.lines = lines;
    this.opts = opts;
    let points = 0;
    for (const l of lines) if (!l.faint) points += l.n;
    this.el.dataset.points = String(points);
    this.el.dataset.series = String(N);
    if (!this.u || structure !== this.structure) {
      this.structure = structure;
      this.create();
    } else {
      this.u.setData(this.data, !this.zoomed);
    }
    this.el.dataset.distr = String(this.u ? this.u.scales.y.distr : "");
    this.showValues(null);
  }

  private create(): void {
    const opts = this.opts!;
    const lines = this.lines;
    const N = lines.length;
    this.u?.destroy();
    this.zoomed = false;
    const fg = getComputedStyle(this.el).color || "#333";
    const grid = { stroke: "rgba(128,128,128,0.15)", width: 1 };
    const series: uPlot.Series[] = [{ label: "x" }];
    lines.forEach((l) => {
      series.push({
        label: l.label, stroke: alpha(l.color, 0.25), width: 1, spanGaps: true, points: { show: false },
        show: opts.smoothing > 0 && !l.faint && !this.hidden.has(l.id),
      });
    });
    lines.forEach((l) => {
      series.push({
        label: l.label, stroke: l.faint ? alpha(l.color, 0.4) : l.color, width: l.faint ? 1 : 1.6,
        dash: l.dash, spanGaps: true, show: !this.hidden.has(l.id), points: l.faint ? { show: false } : {},
      });
    });
    const xValues = (_u: uPlot, splits: number[]) =>
      splits.map((v) => (v === null || v === undefined ? "" : opts.xMode === "rel" ? fmtDuration(v) : fmtNum(v)));
    this.width = Math.floor(this.plotEl.clientWidth) || 400;
    const o: uPlot.Options = {
      width: this.width,
      height: HEIGHT,
      legend: { show: false },
      scales: { x: { time: opts.xMode === "wall" }, y: opts.logY ? { distr: 3, log: 10 } : { distr: 1 } },
      axes: [
        { stroke: fg, grid, ticks: grid, ...(opts.xMode === "wall" ? {} : { values: xValues }) },
        { stroke: fg, grid, ticks: grid, size: 56, values: (_u, splits) => splits.map((v) => (v === null || v === undefined ? "" : fmtNum(v))) },
      ],
      series,
      cursor: { sync: { key: opts.syncKey }, drag: { x: true, y: false, setScale: true }, points: { size: 6 } },
      hooks: {
        setCursor: [(u) => this.showValues(u.cursor.idx ?? null)],
        setScale: [(u, key) => { if (key === "x") this.zoomed = this.isZoomed(u); }],
      },
    };
    this.plotEl.textContent = "";
    this.u = new uPlot(o, this.data, this.plotEl);
    this.buildLegend(N);
  }

  private isZoomed(u: uPlot): boolean {
    const x = this.data[0];
    if (!x.length) return false;
    const lo = x[0] as number;
    const hi = x[x.length - 1] as number;
    const eps = (hi - lo) * 1e-6;
    return (u.scales.x.min ?? lo) > lo + eps || (u.scales.x.max ?? hi) < hi - eps;
  }

  private buildLegend(N: number): void {
    this.legendEl.textContent = "";
    this.values = [];
    this.items = [];
    this.legendEl.append(this.xLabel);
    this.lines.forEach((l, i) => {
      const item = h("span", "nbt-legend-item" + (l.faint ? " faint" : "") + (this.hidden.has(l.id) ? " off" : ""));
      const sw = h("span", "nbt-swatch");
      sw.style.background = l.color;
      const val = h("span", "nbt-legend-val");
      item.append(sw, h("span", "nbt-legend-label", l.label), val);
      item.title = l.label;
      item.addEventListener("click", () => {
        const off = !this.hidden.has(l.id);
        if (off) this.hidden.add(l.id);
        else this.hidden.delete(l.id);
        item.classList.toggle("off", off);
        const smoothing = (this.opts?.smoothing ?? 0) > 0;
        this.u?.setSeries(1 + N + i, { show: !off });
        if (smoothing && !l.faint) this.u?.setSeries(1 + i, { show: !off });
      });
      this.values.push(val);
      this.items.push(item);
      this.legendEl.append(item);
    });
  }

  /** Values at the cursor's index, or the latest values when the cursor is away. */
  private showValues(idx: number | null): void {
    const N = this.lines.length;
    const x = this.data[0];
    const mode = this.opts?.xMode ?? "step";
    const fx = (v: number) => (mode === "rel" ? fmtDuration(v) : mode === "wall" ? new Date(v * 1000).toLocaleTimeString() : fmtNum(v));
    this.xLabel.textContent = idx !== null && idx < x.length ? `${mode === "step" ? "step " : ""}${fx(x[idx] as number)}` : "";
    for (let i = 0; i < N; i++) {
      const col = this.data[1 + N + i] as (number | null)[];
      let j = idx ?? col.length - 1;
      const stop = idx === null ? -1 : Math.max(-1, j - 256);
      while (j > stop && (col[j] === null || col[j] === undefined)) j--;
      this.values[i].textContent = j > stop ? fmtNum(col[j] as number) : "";
    }
  }

  destroy(): void {
    this.ro?.disconnect();
    this.u?.destroy();
    this.u = null;
    this.el.remove();
  }
}
