// A line chart of plain data (uPlot): smoothed lines over faint raw ones, a compact
// legend (text only; past LEGEND_MAX entries a toggle shows the rest), hover values,
// drag-zoom, double-click reset, log y, axis ranges that fit a single point or a constant
// series, tick labels sized to fit, values in a unit. No widget model in here: the live
// panel, compare() and the runs table (and HTML reports) feed it Line arrays.
import uPlot from "uplot";
import { emaDebiased } from "../smooth";
import { align, alpha, fmtDuration, h, unionSorted } from "../util";
import { fitRange, fmtValue, tickLabels } from "./units";

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
  xMode: XMode; // how x values read: numbers ("step", also step metrics), seconds, unix time
  syncKey: string;
  xName?: string; // the x axis' name in the hover read-out ("step", "epoch/epoch")
  unit?: string; // the values' unit ("%", "MB/s")
}

const HEIGHT = 200;
/** Tick increments for whole-number data (a thread count, an epoch): never 20.5. */
const INT_INCRS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1e3, 2e3, 2.5e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6, 2e6, 5e6, 1e7, 1e8, 1e9];
/** Legend entries shown before the "+n more" toggle. */
export const LEGEND_MAX = 3;

export class ChartView {
  el = h("div", "nbt-chart");
  private plotEl = h("div", "nbt-plot");
  private legendEl = h("div", "nbt-legend");
  private xLabel = h("span", "nbt-legend-x");
  private xNameEl = h("span", "nbt-chart-x");
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
  private legendOpen = false;

  constructor(title: string, private hidden: Set<string>) {
    this.el.dataset.group = title;
    this.el.dataset.key = title;
    const head = h("div", "nbt-chart-head");
    head.append(h("span", "nbt-chart-title", title || "charts"), this.xNameEl);
    this.el.append(head, this.plotEl, this.legendEl);
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
    this.lines = lines;
    const ints = [opts.xMode === "step" && this.integral(0), this.integral(1)];
    const structure = JSON.stringify([opts.xMode, opts.xName, opts.unit, opts.logY, opts.smoothing > 0, ints, lines.map((l) => [l.id, l.color, l.faint, l.label])]);
    this.opts = opts;
    let points = 0;
    for (const l of lines) if (!l.faint) points += l.n;
    this.el.dataset.points = String(points);
    this.el.dataset.series = String(N);
    this.el.dataset.x = opts.xName ?? opts.xMode;
    this.el.dataset.unit = opts.unit ?? "";
    this.xNameEl.textContent = `vs ${opts.xName ?? (opts.xMode === "step" ? "step" : "time")}`;
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
    const unit = opts.unit ?? "";
    const xValues = (_u: uPlot, splits: number[]) =>
      opts.xMode === "rel" ? splits.map((v) => (v === null || v === undefined ? "" : fmtDuration(v))) : tickLabels(splits);
    const yValues = (_u: uPlot, splits: number[]) => {
      const labels = tickLabels(splits, unit);
      this.el.dataset.yticks = labels.join("|"); // the canvas-drawn labels, readable by tests
      return labels;
    };
    const ySize = (_u: uPlot, values: string[] | null) => {
      let longest = 0;
      for (const v of values || []) longest = Math.max(longest, v.length);
      return Math.max(40, Math.ceil(longest * 7.4) + 24);
    };
    const xRange = (_u: uPlot, min: number | null, max: number | null): uPlot.Range.MinMax => {
      if (min === null || max === null) return [0, 1];
      if (max > min) return [min, max];
      const d = opts.xMode === "step" ? Math.max(1, Math.abs(min) * 0.05) : 1;
      return [min - d, max + d];
    };
    const yRange = (_u: uPlot, min: number | null, max: number | null): uPlot.Range.MinMax => fitRange(min, max);
    this.width = Math.floor(this.plotEl.clientWidth) || 400;
    const o: uPlot.Options = {
      width: this.width,
      height: HEIGHT,
      legend: { show: false },
      scales: {
        x: { time: opts.xMode === "wall", range: xRange },
        y: opts.logY ? { distr: 3, log: 10 } : { distr: 1, range: yRange },
      },
      axes: [
        { stroke: fg, grid, ticks: grid, ...(opts.xMode === "wall" ? {} : { values: xValues }), ...(opts.xMode === "step" && this.integral(0) ? { incrs: INT_INCRS } : {}) },
        { stroke: fg, grid, ticks: grid, size: ySize, values: yValues, ...(this.integral(1) ? { incrs: INT_INCRS } : {}) },
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

  /** True when every x (axis 0) or y value (axis 1) is a whole number: ticks then stay whole too. */
  private integral(axis: 0 | 1): boolean {
    let seen = false;
    for (const l of this.lines) {
      const a = axis === 0 ? l.x : l.y;
      for (let i = 0; i < l.n; i++) {
        const v = a[i];
        if (!Number.isFinite(v)) continue;
        if (v !== Math.round(v)) return false;
        seen = true;
      }
    }
    return seen;
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
    // the chart's own lines first, then the faint ones; past LEGEND_MAX behind a toggle
    const order = this.lines.map((l, i) => i).sort((a, b) => Number(this.lines[a].faint) - Number(this.lines[b].faint));
    const extra: HTMLElement[] = [];
    order.forEach((i, rank) => {
      const l = this.lines[i];
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
      this.values[i] = val;
      this.items[i] = item;
      if (rank >= LEGEND_MAX) {
        item.classList.add("nbt-legend-extra");
        item.style.display = this.legendOpen ? "" : "none";
        extra.push(item);
      }
      this.legendEl.append(item);
    });
    if (extra.length) {
      const more = h("button", "nbt-legend-more", this.legendOpen ? "fewer" : `+${extra.length} more`);
      more.type = "button";
      more.dataset.role = "legend-more";
      more.addEventListener("click", () => {
        this.legendOpen = !this.legendOpen;
        for (const e of extra) e.style.display = this.legendOpen ? "" : "none";
        more.textContent = this.legendOpen ? "fewer" : `+${extra.length} more`;
        this.el.dataset.legend = String(order.length - (this.legendOpen ? 0 : extra.length));
      });
      this.legendEl.append(more);
    }
    this.el.dataset.legend = String(order.length - (this.legendOpen ? 0 : extra.length));
  }

  /** Values at the cursor's index, or the latest values when the cursor is away. */
  private showValues(idx: number | null): void {
    const N = this.lines.length;
    const x = this.data[0];
    const mode = this.opts?.xMode ?? "step";
    const unit = this.opts?.unit ?? "";
    const fx = (v: number) => (mode === "rel" ? fmtDuration(v) : mode === "wall" ? new Date(v * 1000).toLocaleTimeString() : fmtValue(v));
    const name = mode === "step" ? `${this.opts?.xName ?? "step"} ` : "";
    this.xLabel.textContent = idx !== null && idx < x.length ? `${name}${fx(x[idx] as number)}` : "";
    for (let i = 0; i < N; i++) {
      const col = this.data[1 + N + i] as (number | null)[];
      let j = idx ?? col.length - 1;
      const stop = idx === null ? -1 : Math.max(-1, j - 256);
      while (j > stop && (col[j] === null || col[j] === undefined)) j--;
      this.values[i].textContent = j > stop ? fmtValue(col[j] as number, unit) : "";
    }
  }

  destroy(): void {
    this.ro?.disconnect();
    this.u?.destroy();
    this.u = null;
    this.el.remove();
  }
}
