// nbtrack report page: entry module (bundled to nbtrack/static/report.js and inlined into
// every report file and every /nbtrack/ server page). Reads the data block the page
// carries, then builds the runs table, the curves, the hyperparameter views and the
// per-run details. It imports the live panel's and the runs table's modules; it never
// fetches anything.
import "uplot/dist/uPlot.min.css";
import "../shared/styles.css";
import "../table/table.css";
import "./report.css";
import { TableData } from "../table/data";
import { h } from "../shared/util";
import { AnalysisView } from "./analysis";
import { ChartsView } from "./charts";
import { DetailsView, runAnchor } from "./details";
import { loadReport } from "./load";
import { RunsTable } from "./runs";
import type { Report } from "./types";

function build(app: HTMLElement, report: Report): void {
  const { meta } = report;
  const data = TableData.from(meta.table.columns, meta.table.rows, [], true);
  const charts = new ChartsView(report);
  let analysis: AnalysisView | null = null;
  const runs = new RunsTable(data, meta.runs.map((r) => r.id), {
    onVisible: (ids) => {
      charts.setVisible(ids);
      analysis?.setRows(runs.rows());
    },
    runHref: (id) => (meta.links.run ? meta.links.run.replace("{id}", encodeURIComponent(id)) : meta.details[id] ? "#" + runAnchor(id) : null),
  });
  analysis = new AnalysisView(data, meta.importance, (b) => {
    runs.brushes = b;
    runs.render();
  });
  analysis.setRows(runs.rows());
  const nav = h("nav", "nbt-report-nav");
  for (const [text, target] of [["Curves", charts.el], ["Runs", runs.el], ["Hyperparameters", analysis.el]] as const) {
    const b = h("button", "nbt-tab", text);
    b.addEventListener("click", () => target.scrollIntoView({ behavior: "smooth" }));
    nav.append(b);
  }
  const details = new DetailsView(report);
  nav.append(Object.assign(h("button", "nbt-tab", "Details"), { onclick: () => details.el.scrollIntoView({ behavior: "smooth" }) }));
  if (meta.links.project) {
    const back = h("a", "nbt-report-back", `← project ${meta.runs[0]?.project ?? ""}`);
    back.href = meta.links.project;
    nav.prepend(back);
  }
  app.textContent = "";
  app.append(nav, charts.el, runs.el, analysis.el, details.el);
  if (meta.runs.length === 1) {
    analysis.el.style.display = "none"; // one run: nothing to compare
    const only = details.el.querySelector("details.nbt-report-run");
    if (only instanceof HTMLDetailsElement) only.open = true;
  }
  if (location.hash.startsWith("#run-")) {
    const target = document.getElementById(location.hash.slice(1));
    if (target instanceof HTMLDetailsElement) { target.open = true; target.scrollIntoView(); }
  }
  app.addEventListener("click", (ev) => {
    const a = (ev.target as HTMLElement).closest("a.nbt-name") as HTMLAnchorElement | null;
    if (a && a.getAttribute("href")?.startsWith("#run-")) {
      const d = document.getElementById(a.getAttribute("href")!.slice(1));
      if (d instanceof HTMLDetailsElement) d.open = true;
    }
  });
}

async function main(): Promise<void> {
  const app = document.getElementById("nbt-report-app");
  const block = document.getElementById("nbtrack-data");
  if (!app || !block) return;
  const t0 = performance.now();
  try {
    const report = await loadReport(block);
    build(app, report);
    app.dataset.runs = String(report.meta.runs.length);
    app.dataset.state = "ready";
  } catch (err) {
    app.dataset.state = "error";
    app.textContent = `nbtrack report failed to load: ${String(err)}`;
    throw err;
  } finally {
    // uPlot draws in a microtask queued during build(): time it too
    queueMicrotask(() => { app.dataset.loadMs = (performance.now() - t0).toFixed(1); });
  }
}

void main();
