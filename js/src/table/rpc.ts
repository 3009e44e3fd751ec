// Requests to the kernel (model.send -> Python on_msg) and their replies. A request with
// no answer after WAIT_MS means a cell is running: the view says so and keeps working
// on the rows it holds; the answer arrives when the cell ends.
import type { AnyModel } from "@anywidget/types";
import type { Reply, TableTraits } from "./messages";

const WAIT_MS = 1000;

interface Pending {
  resolve: (r: { reply: Reply; buffers: unknown[] }) => void;
  reject: (e: Error) => void;
  sent: number;
  what: string;
}

export class Rpc {
  private next = 1;
  private pending = new Map<number, Pending>();
  private timer: ReturnType<typeof setInterval> | null = null;
  waiting = false;
  onWaiting: (waiting: boolean, what: string[]) => void = () => {};
  onOther: (msg: Record<string, unknown>) => void = () => {};

  constructor(private model: AnyModel<TableTraits>) {}

  handle(msg: Reply | Record<string, unknown>, buffers: unknown[]): void {
    if (!msg || (msg as Reply).type !== "reply") { this.onOther(msg as Record<string, unknown>); return; }
    const r = msg as Reply;
    const p = this.pending.get(r.rid);
    if (!p) return;
    this.pending.delete(r.rid);
    if (r.ok) p.resolve({ reply: r, buffers: buffers || [] });
    else p.reject(new Error(r.error || "the kernel could not answer"));
    this.check();
  }

  request(type: string, body: Record<string, unknown>, what: string): Promise<{ reply: Reply; buffers: unknown[] }> {
    const rid = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(rid, { resolve, reject, sent: performance.now(), what });
      try {
        this.model.send({ type, rid, ...body });
      } catch (e) {
        this.pending.delete(rid);
        reject(new Error("the widget is not connected to a kernel"));
        return;
      }
      if (!this.timer) this.timer = setInterval(() => this.check(), 250);
    });
  }

  private check(): void {
    const now = performance.now();
    const late = [...this.pending.values()].filter((p) => now - p.sent > WAIT_MS);
    const waiting = late.length > 0;
    if (waiting !== this.waiting || waiting) {
      this.waiting = waiting;
      this.onWaiting(waiting, late.map((p) => p.what));
    }
    if (!this.pending.size && this.timer) { clearInterval(this.timer); this.timer = null; }
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.pending.clear();
  }
}
