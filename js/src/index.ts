// nbtrack live panel: anywidget entry point.
// initialize() runs once per model at comm open, before any view: it registers the
// message handler so pushed points are kept even while no view is on screen.
import type { AnyWidget } from "@anywidget/types";
import "uplot/dist/uPlot.min.css";
import "./styles.css";
import type { PanelTraits } from "./messages";
import { PanelView } from "./panel";
import { attachStore } from "./store";

const widget: AnyWidget<PanelTraits> = {
  initialize({ model }) {
    return attachStore(model);
  },
  render({ model, el }) {
    let view: PanelView;
    try {
      view = new PanelView(model, el);
    } catch (err) {
      el.textContent = `nbtrack panel failed to render: ${String(err)}`;
      return;
    }
    return () => view.destroy();
  },
};

export default widget;
