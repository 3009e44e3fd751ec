// Selected runs' curves of one metric, overlaid in the live panel's chart (uPlot), from
// points the kernel downsampled in DuckDB (M4).
import { ChartView, type Line } from "../shared/charts/line";
import { h } from "../shared/util";

export interface OverlaySeries {
  run: string;
  label: string;
  color: string;
  x: Float64Array;
  y: Float64Array;
}

export class Overlay {
  el = h("div", "nbt-overlay");
  private head = h("div", "nbt-section-head");
  select = h("select");
  private status = h("span", "nbt-meta");
  private chart: ChartView | null = null;
  private hidden = new Set<string>();
  private logY = h("input");

  constructor(onMetric: (key: string) => void, onLog: () => void) {
    this.select.dataset.role = "overlay-metric";
    this.select.addEventListener("change", () => onMetric(this.select.value));
    this.logY.type = "checkbox";
    this.logY.dataset.role = "overlay-logy";
    this.logY.addEventListener("change", onLog);
    const lbl = h("label", "nbt-ctl");
    lbl.append(this.logY, h("span", undefined, "log y"));
    this.head.append(h("span", "nbt-section-title", "Curves of the selected runs"), this.select, lbl, this.status);
    this.el.append(this.head);
  }

  setMetrics(keys: string[], current: string): void {
    this.select.textContent = "";
    for (const k of keys) {
      const o = h("option", undefined, k);
      o.value = k;
      this.select.append(o);
    }
    this.select.value = current;
  }

  setStatus(text: string): void {
    this.status.textContent = text;
  }

  draw(series: OverlaySeries[], key: string): void {
    if (!this.chart) {
      this.chart = new ChartView(key, this.hidden);
      this.el.append(this.chart.el);
    }
    const lines: Line[] = series.map((s) => ({ id: s.run, label: s.label, color: s.color, faint: false, x: s.x, y: s.y, n: s.x.length }));
    const t0 = performance.now();
    this.chart.el.dataset.group = key;
    (this.chart.el.querySelector(".nbt-chart-title") as HTMLElement).textContent = key;
    this.chart.update(lines, { smoothing: 0, logY: this.logY.checked, xMode: "step", syncKey: "nbt-table-overlay" });
    this.el.dataset.renderMs = (performance.now() - t0).toFixed(1);
    this.el.dataset.series = String(series.length);
    this.el.dataset.points = String(series.reduce((a, s) => a + s.x.length, 0));
  }

  clear(): void {
    this.chart?.destroy();
    this.chart = null;
    this.el.dataset.series = "0";
  }
}
