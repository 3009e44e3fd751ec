// Toolbar: smoothing slider, log-scale y, x axis, earlier runs. Browser-only state, so
// everything works while the kernel is busy training.
import type { XMode } from "./chart";
import { h } from "./util";

export interface ViewOptions {
  smoothing: number;
  logY: boolean;
  xMode: XMode;
  showEarlier: boolean;
}

export class Controls {
  el = h("div", "nbt-controls");
  private earlierLabel = h("label", "nbt-ctl");
  private earlierCount = h("span");

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
    const sel = h("select");
    sel.dataset.role = "xmode";
    for (const [v, text] of [["step", "step"], ["rel", "relative time"], ["wall", "wall time"]]) {
      const o = h("option", "", text);
      o.value = v;
      sel.append(o);
    }
    sel.value = opts.xMode;
    sel.addEventListener("change", () => {
      opts.xMode = sel.value as XMode;
      onChange();
    });
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

  setEarlierRuns(n: number): void {
    this.earlierLabel.style.display = n > 0 ? "" : "none";
    this.earlierCount.textContent = `earlier runs (${n})`;
  }
}
