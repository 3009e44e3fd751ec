// Toolbar: smoothing slider, log-scale y, x axis, earlier runs. Browser-only state, so
// everything works while the kernel is busy training.
import type { XChoice } from "./charts/layout";
import { h } from "./util";

export interface ViewOptions {
  smoothing: number;
  logY: boolean;
  xMode: XChoice; // "auto" | "step" | "rel" | "wall" | "m:<step metric>"
  showEarlier: boolean;
}

export class Controls {
  el = h("div", "nbt-controls");
  private earlierLabel = h("label", "nbt-ctl");
  private earlierCount = h("span");
  private xSelect = h("select");
  private xChoices = "";

  constructor(private opts: ViewOptions, private onChange: () => void) {
    const smooth = h("label", "nbt-ctl");
    const slider = h("input");
    slider.type = "range";
    slider.min = "0";
    slider.max = "0.99";
    slider.step = "0.01";
    slider.value = String(opts.smoothing);
    slider.dataset.role = "smoothing";
    const sval = h("span", "nbt-ctl-val", opts.smoothing.toFixed(2));
    slider.addEventListener("input", () => {
      opts.smoothing = Number(slider.value);
      sval.textContent = opts.smoothing.toFixed(2);
      onChange();
    });
    smooth.append(h("span", "", "smoothing"), slider, sval);

    const log = h("label", "nbt-ctl");
    const logBox = h("input");
    logBox.type = "checkbox";
    logBox.checked = opts.logY;
    logBox.dataset.role = "logy";
    logBox.addEventListener("change", () => {
      opts.logY = logBox.checked;
      onChange();
    });
    log.append(logBox, h("span", "", "log y"));

    const xl = h("label", "nbt-ctl");
    const sel = this.xSelect;
    sel.dataset.role = "xmode";
    sel.addEventListener("change", () => {
      opts.xMode = sel.value;
      onChange();
    });
    this.setXOptions([]);
    xl.append(h("span", "", "x"), sel);

    const eBox = h("input");
    eBox.type = "checkbox";
    eBox.checked = opts.showEarlier;
    eBox.dataset.role = "earlier";
    eBox.addEventListener("change", () => {
      opts.showEarlier = eBox.checked;
      onChange();
    });
    this.earlierLabel.append(eBox, this.earlierCount);
    this.earlierLabel.style.display = "none";
    this.el.append(smooth, log, xl, this.earlierLabel);
  }

  /** The x choices: per-metric default, the global step, the runs' step metrics, time. */
  setXOptions(stepMetrics: string[]): void {
    const choices: [string, string][] = [
      ["auto", stepMetrics.length ? "default (step metrics)" : "default (step)"],
      ["step", "step"],
      ...stepMetrics.map((m): [string, string] => [`m:${m}`, m]),
      ["rel", "relative time"],
      ["wall", "wall time"],
    ];
    const cur = this.opts.xMode;
    if (cur.startsWith("m:") && !choices.some(([v]) => v === cur)) choices.splice(2, 0, [cur, cur.slice(2)]);
    const sig = JSON.stringify(choices);
    if (sig === this.xChoices) return;
    this.xChoices = sig;
    const sel = this.xSelect;
    sel.textContent = "";
    for (const [v, text] of choices) {
      const o = h("option", "", text);
      o.value = v;
      sel.append(o);
    }
    if (!choices.some(([v]) => v === cur)) this.opts.xMode = "auto";
    sel.value = this.opts.xMode;
  }

  setEarlierRuns(n: number): void {
    this.earlierLabel.style.display = n > 0 ? "" : "none";
    this.earlierCount.textContent = `earlier runs (${n})`;
  }
}
