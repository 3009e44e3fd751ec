// Logged images: one strip per key with a step slider. Thumbnails arrive as data
// (blob: or data: URLs) and are set through DOM properties; captions are text.
import { h } from "./util";

/** One image as the strip shows it (its thumbnail a blob: or data: URL, or none). */
export interface ImageView {
  caption: string | null;
  w: number | null;
  h: number | null;
  src: string | null;
}

/** The images of one key at one step. */
export interface ImageStep {
  step: number;
  items: ImageView[];
}

class ImageStrip {
  el = h("div", "nbt-images");
  private slider = h("input");
  private stepLabel = h("span", "nbt-ctl-val");
  private strip = h("div", "nbt-strip");
  private steps: ImageStep[] = [];
  private follow = true;
  private shown: ImageStep | null = null;

  constructor(key: string) {
    this.slider.type = "range";
    this.slider.min = "0";
    this.slider.dataset.role = "image-step";
    this.slider.addEventListener("input", () => {
      this.follow = Number(this.slider.value) >= this.steps.length - 1;
      this.draw();
    });
    const head = h("div", "nbt-images-head");
    head.append(h("span", "nbt-chart-title", key), this.slider, this.stepLabel);
    this.el.append(head, this.strip);
  }

  update(steps: ImageStep[]): void {
    this.steps = steps;
    this.slider.max = String(Math.max(0, steps.length - 1));
    if (this.follow) this.slider.value = this.slider.max;
    this.draw();
  }

  private draw(): void {
    const st = this.steps[Math.min(Number(this.slider.value), this.steps.length - 1)];
    if (!st || st === this.shown) return;
    this.shown = st;
    this.stepLabel.textContent = `step ${st.step}`;
    this.strip.textContent = "";
    for (const it of st.items) {
      const fig = h("figure", "nbt-thumb");
      if (it.src) {
        const img = h("img");
        img.alt = it.caption ?? "";
        img.src = it.src;
        fig.append(img);
      } else {
        fig.append(h("div", "nbt-thumb-missing", it.w && it.h ? `${it.w}×${it.h}` : "image"));
      }
      if (it.caption) fig.append(h("figcaption", "", it.caption));
      this.strip.append(fig);
    }
  }
}

export class ImagesView {
  el = h("div", "nbt-images-all");
  private strips = new Map<string, ImageStrip>();

  update(images: Map<string, ImageStep[]>): void {
    for (const [key, steps] of images) {
      let s = this.strips.get(key);
      if (!s) {
        s = new ImageStrip(key);
        this.strips.set(key, s);
        this.el.append(s.el);
      }
      s.update(steps);
    }
  }
}
