// Hyperparameters against a metric: the runs table's parallel coordinates (brush an axis
// to filter the runs) and the parameter importance the report's builder computed
// (random forest + correlation, method named), with a metric chooser.
import { importanceView } from "../table/importance";
import { ParCoords } from "../table/parcoords";
import type { Brush, TableData } from "../table/data";
import { h } from "../shared/util";
import type { ReportImportance } from "./types";

const MAX_AXES = 8;

export class AnalysisView {
  el = h("section", "nbt-report-section nbt-report-analysis");
  private pc: ParCoords;
  private select = h("select", "nbt-input");
  private impEl = h("div");
  private params: string[];
  private rows: Int32Array = new Int32Array(0);

  constructor(private data: TableData, private importance: ReportImportance[], onBrush: (b: Brush[]) => void) {
    this.pc = new ParCoords((b) => { onBrush(b); this.drawPc(); });
    this.params = data.columns.filter((c) => c.group === "config" && this.varies(c.key)).map((c) => c.key).slice(0, MAX_AXES);
    const metrics = data.columns.filter((c) => c.group === "summary" && c.kind === "num").map((c) => c.key);
    const preferred = importance.map((i) => i.metric).filter((m) => metrics.includes(m));
    for (const m of [...preferred, ...metrics.filter((m) => !preferred.includes(m))]) {
      const o = h("option", "", m.replace(/^summary\./, ""));
      o.value = m;
      this.select.append(o);
    }
    this.select.dataset.role = "metric";
    this.select.addEventListener("change", () => this.redraw());
    const head = h("div", "nbt-section-head");
    head.append(h("h2", "nbt-report-h2", "Hyperparameters"), h("span", "nbt-meta", "metric"), this.select);
    this.el.append(head);
    if (!this.params.length || !metrics.length) {
      this.el.append(h("div", "nbt-empty", "Parallel coordinates and importance need runs with differing config values and a numeric summary metric."));
      this.el.dataset.axes = "0";
      return;
    }
    this.el.append(this.pc.el, h("h3", "nbt-report-h3", "Parameter importance"), this.impEl);
  }

  private varies(key: string): boolean {
    const seen = new Set<string>();
    for (let i = 0; i < this.data.length; i++) {
      const t = this.data.text(key, i);
      if (t !== "") seen.add(t);
      if (seen.size > 1) return true;
    }
    return false;
  }

  /** Redraw for the rows the runs table shows. */
  setRows(rows: Int32Array): void {
    this.rows = rows;
    this.redraw();
  }

  private drawPc(): void {
    if (!this.params.length || !this.select.value) return;
    this.pc.draw(this.data, this.rows, this.params, this.select.value, new Set());
  }

  private redraw(): void {
    if (!this.params.length || !this.select.value) return;
    this.drawPc();
    this.impEl.textContent = "";
    const imp = this.importance.find((i) => i.metric === this.select.value);
    if (imp) this.impEl.append(importanceView(imp.method, imp.rows, imp.n, imp.metric.replace(/^summary\./, "")));
    else this.impEl.append(h("div", "nbt-empty", "Importance was computed for the report's chosen metrics only."));
    this.el.dataset.axes = this.pc.el.dataset.axes || "0";
  }
}
