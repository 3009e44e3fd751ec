// nbtrack runs table: anywidget entry point (bundled to nbtrack/static/table.js).
import type { AnyWidget } from "@anywidget/types";
import "uplot/dist/uPlot.min.css";
import "../shared/styles.css";
import "./table.css";
import { attachCtl, getCtl } from "./ctl";
import type { TableTraits } from "../shared/protocol.gen";
import { TableView } from "./view";

const widget: AnyWidget<TableTraits> = {
  initialize({ model }) {
    return attachCtl(model);
  },
  render({ model, el }) {
    let view: TableView;
    try {
      view = new TableView(getCtl(model), el);
    } catch (err) {
      el.textContent = `nbtrack table failed to render: ${String(err)}`;
      return;
    }
    return () => view.destroy();
  },
};

export default widget;
