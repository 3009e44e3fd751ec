// Charts in collapsible sections, from a Plan (charts/layout.ts). Plain data in: the
// caller says how a line looks (colour, label) and which sections are open. Charts of a
// closed section are not drawn (and not created until it opens).
import { h } from "../util";
import { HeatmapChart } from "./heatmap";
import type { ChartPlan, LinePlan, Plan, SectionPlan } from "./layout";
import { ChartView, type Line, type XMode } from "./line";

export interface LineStyle {
  id: string;
  label: string;
  color: string;
  faint: boolean;
  dash?: number[];
}

export interface GridOpts {
  smoothing: number;
  logY: boolean;
  syncKey: string;
}

class Section {
  el = h("div", "nbt-section");
  head = h("button", "nbt-section-toggle");
  body = h("div", "nbt-charts");
  charts = new Map<string, ChartView | HeatmapChart>();

  constructor(public name: string, onToggle: () => void) {
    this.el.dataset.section = name;
    this.head.type = "button";
    this.head.addEventListener("click", onToggle);
    this.el.append(this.head, this.body);
  }

  destroy(): void {
    for (const c of this.charts.values()) c.destroy();
    this.el.remove();
  }
}

export class ChartGrid {
  el = h("div", "nbt-sections");
  private sections = new Map<string, Section>();

  /** `open` maps a section name to its open state (absent: the plan's default); the grid
   * writes the user's toggles back into it. */
  constructor(private hidden: Set<string>, private open: Map<string, boolean>, private onChange: () => void) {}

  private isOpen(s: SectionPlan): boolean {
    return this.open.get(s.name) ?? !s.collapsedByDefault;
  }

  update(plan: Plan, opts: GridOpts, style: (l: LinePlan, chart: ChartPlan) => LineStyle): number {
    let points = 0;
    const names = new Set(plan.sections.map((s) => s.name));
    for (const [name, sec] of this.sections) if (!names.has(name)) { sec.destroy(); this.sections.delete(name); }
    for (const sp of plan.sections) {
      let sec = this.sections.get(sp.name);
      if (!sec) {
        sec = new Section(sp.name, () => {
          this.open.set(sp.name, !this.isOpen(sp));
          this.onChange();
        });
        this.sections.set(sp.name, sec);
      }
      const open = this.isOpen(sp);
      sec.head.textContent = `${open ? "▾" : "▸"} ${sp.title} (${sp.charts.length})`;
      sec.el.dataset.open = open ? "1" : "0";
      sec.el.dataset.charts = String(sp.charts.length);
      sec.body.style.display = open ? "" : "none";
      this.el.append(sec.el); // keeps the plan's order
      if (!open) continue;
      const keys = new Set(sp.charts.map((c) => c.key + "\u0000" + c.kind));
      for (const [k, c] of sec.charts) if (!keys.has(k)) { c.destroy(); sec.charts.delete(k); }
      for (const cp of sp.charts) {
        const id = cp.key + "\u0000" + cp.kind;
        if (cp.kind === "hist") {
          let chart = sec.charts.get(id) as HeatmapChart | undefined;
          if (!chart) { chart = new HeatmapChart(cp.key); sec.charts.set(id, chart); }
          sec.body.append(chart.el);
          chart.update(cp.hists);
          continue;
        }
        let chart = sec.charts.get(id) as ChartView | undefined;
        if (!chart) { chart = new ChartView(cp.key, this.hidden); sec.charts.set(id, chart); }
        sec.body.append(chart.el);
        const lines: Line[] = cp.lines.map((l) => {
          const st = style(l, cp);
          if (!st.faint) points += l.n;
          return { ...st, x: l.x, y: l.y, n: l.n };
        });
        const xMode: XMode = cp.xKind;
        chart.update(lines, { ...opts, xMode, xName: cp.xName, unit: cp.unit.label });
      }
    }
    return points;
  }

  destroy(): void {
    for (const s of this.sections.values()) s.destroy();
    this.sections.clear();
  }
}
