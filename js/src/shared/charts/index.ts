// Chart drawing from plain data, for every view that shows curves: the live panel,
// compare(), the runs table's overlay and HTML reports. Nothing here touches a widget model.
//   planCharts(input)            which metrics get a chart, sections, x axes (layout.ts)
//   new ChartGrid(...).update()  collapsible sections of charts from a plan (sections.ts)
//   new ChartView(title, hidden).update(lines, opts)   one line chart (line.ts)
//   new HeatmapChart(title).update(hists)              histograms over steps (heatmap.ts)
//   valueUnit, tickLabels, fmtValue, fitRange          units and axis labels (units.ts)
export { planCharts, sectionOf, isCharted, xMetricOf, joinOnStep, looksLikeCounter, SYSTEM } from "./layout";
export type { ChartPlan, HistData, LinePlan, MetricMeta, Plan, PlanInput, RunMeta, SectionPlan, SeriesData, XChoice } from "./layout";
export { ChartGrid, type GridOpts, type LineStyle } from "./sections";
export { ChartView, LEGEND_MAX, type ChartOpts, type Line, type XMode } from "./line";
export { HeatmapChart, projectColumn } from "./heatmap";
export { fitRange, fmtValue, tickLabels, valueUnit, type Unit } from "./units";
