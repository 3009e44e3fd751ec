// nbtrack live panel: anywidget entry point (the bundle the kernel's WidgetCode holds;
// loader.ts imports it once per page and delegates here).
// initialize() runs once per model at comm open, before any view: it registers the
// message handler so pushed points are kept even while no view is on screen. Messages
// the loader caught while it fetched this bundle come in `pending`.
import type { AnyModel, AnyWidget } from "@anywidget/types";
import "uplot/dist/uPlot.min.css";
import "../shared/styles.css";
import type { PanelKernelMsg, PanelTraits } from "../shared/protocol.gen";
import { PanelView } from "./panel";
import { attachStore, getStore } from "./store";

export type Pending = [PanelKernelMsg, unknown[]][];

interface InitContext {
  model: AnyModel<PanelTraits>;
  pending?: Pending;
}

const widget = {
  initialize({ model, pending }: InitContext) {
    const detach = attachStore(model);
    if (pending && pending.length) {
      const store = getStore(model);
      for (const [msg, buffers] of pending) store.receive(msg, buffers || []);
    }
    return detach;
  },
  render({ model, el }: { model: AnyModel<PanelTraits>; el: HTMLElement }) {
    let view: PanelView;
    try {
      view = new PanelView(model, el);
    } catch (err) {
      el.textContent = `nbtrack panel failed to render: ${String(err)}`;
      return;
    }
    return () => view.destroy();
  },
} satisfies AnyWidget<PanelTraits> | object;

export default widget;
