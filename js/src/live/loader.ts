// The live panel's `_esm`: a few hundred bytes instead of the whole bundle in every panel.
// It finds the kernel's WidgetCode model (trait `code_ref`), imports the bundle it holds
// once per page (cached by digest), adds its CSS once, and hands initialize/render to it.
// Messages pushed while the bundle loads are queued and replayed, so none is lost.
import type { AnyModel } from "@anywidget/types";
import type { CodeTraits, PanelKernelMsg, PanelTraits } from "../shared/protocol.gen";

type Widget = {
  initialize?: (ctx: { model: AnyModel<PanelTraits>; pending?: [PanelKernelMsg, unknown[]][] }) => unknown;
  render?: (ctx: { model: AnyModel<PanelTraits>; el: HTMLElement }) => unknown;
};

interface Manager {
  get_model(id: string): Promise<AnyModel<CodeTraits>>;
}

const KEY = "__nbtrack_widget_code__";
const loaded: Map<string, Promise<Widget>> = ((globalThis as Record<string, unknown>)[KEY] as Map<string, Promise<Widget>>) ??
  ((globalThis as Record<string, unknown>)[KEY] = new Map<string, Promise<Widget>>()) as Map<string, Promise<Widget>>;

async function holder(model: AnyModel<PanelTraits>): Promise<AnyModel<CodeTraits>> {
  const id = model.get("code_ref");
  const manager = (model as unknown as { widget_manager?: Manager }).widget_manager;
  if (!id || !manager) throw new Error("no code_ref / widget manager");
  // a restored notebook registers models in some order: wait briefly for the holder
  for (let i = 0; ; i++) {
    try {
      return await manager.get_model(id);
    } catch (err) {
      if (i >= 40) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function load(model: AnyModel<PanelTraits>): Promise<Widget> {
  const digest = model.get("code_digest") || model.get("code_ref");
  let p = loaded.get(digest);
  if (!p) {
    p = (async () => {
      const code = await holder(model);
      const css = code.get("css");
      if (css && typeof document !== "undefined" && !document.querySelector(`style[data-nbtrack-css="${digest}"]`)) {
        const style = document.createElement("style");
        style.dataset.nbtrackCss = digest;
        style.textContent = css;
        document.head.append(style);
      }
      const url = URL.createObjectURL(new Blob([code.get("code")], { type: "text/javascript" }));
      try {
        return ((await import(/* @vite-ignore */ url)) as { default: Widget }).default;
      } finally {
        URL.revokeObjectURL(url);
      }
    })();
    loaded.set(digest, p);
    p.catch(() => loaded.delete(digest));
  }
  return p;
}

export default {
  async initialize({ model }: { model: AnyModel<PanelTraits> }) {
    const pending: [PanelKernelMsg, unknown[]][] = [];
    const early = (msg: PanelKernelMsg, buffers: unknown[]) => { pending.push([msg, buffers]); };
    model.on("msg:custom", early);
    let w: Widget;
    try {
      w = await load(model);
    } catch {
      model.off("msg:custom", early);
      return;
    }
    model.off("msg:custom", early);
    return w.initialize?.({ model, pending });
  },
  async render({ model, el }: { model: AnyModel<PanelTraits>; el: HTMLElement }) {
    let w: Widget;
    try {
      w = await load(model);
    } catch (err) {
      el.textContent = `nbtrack: the panel's code was not found in this page (${String(err)}). Re-run the cell to draw it again.`;
      return;
    }
    return w.render?.({ model, el });
  },
};
