// Requests to the kernel (model.send -> Python on_msg) and their replies, typed by
// TableCalls (generated from nbtrack/runs_table/messages.py): request("curves", body)
// takes a CurvesReq's fields and resolves to a CurvesReply. A request with no answer
// after WAIT_MS means a cell is running: the view says so and keeps working on the rows
// it holds; the answer arrives when the cell ends.
import type { ReplyHead, TableCalls, TableKernelMsg } from "../shared/protocol.gen";

const WAIT_MS = 1000;

/** A request type the kernel answers. */
export type Call = keyof TableCalls;
/** What a request of type K carries besides its type and rid. */
export type RequestBody<K extends Call> = Omit<TableCalls[K]["request"], "type" | "rid">;
/** A successful reply to a request of type K: the reply head and K's reply fields. */
export type Reply<K extends Call> = ReplyHead & TableCalls[K]["reply"];
export interface Answer<K extends Call> {
  reply: Reply<K>;
  buffers: unknown[];
}

/** The model as the channel needs it (an anywidget model, or a test's stand-in). */
export interface Sender {
  send(content: unknown, callbacks?: unknown, buffers?: ArrayBuffer[] | ArrayBufferView[]): void;
}

interface Pending {
  resolve: (reply: ReplyHead, buffers: unknown[]) => void;
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
  onStale: () => void = () => {};

  constructor(private model: Sender, private now: () => number = () => performance.now()) {}

  /** A custom message from the kernel: a reply to a pending request, or StaleMsg. */
  handle(msg: TableKernelMsg | null | undefined, buffers: unknown[]): void {
    if (!msg) return;
    if (msg.type === "stale") { this.onStale(); return; }
    if (msg.type !== "reply") return;
    const p = this.pending.get(msg.rid);
    if (!p) return;
    this.pending.delete(msg.rid);
    if (msg.ok) p.resolve(msg, buffers || []);
    else p.reject(new Error(msg.error || "the kernel could not answer"));
    this.check();
  }

  /** Send request `type` with `body`; `what` names it in the "waiting for the kernel" note. */
  request<K extends Call>(type: K, body: RequestBody<K>, what: string): Promise<Answer<K>> {
    const rid = this.next++;
    return new Promise((resolve, reject) => {
      // the kernel answers a request of type K with K's reply (TABLE_CALLS); the wire
      // itself is untyped, so this is where the reply takes its type
      const done = (reply: ReplyHead, buffers: unknown[]) => resolve({ reply: reply as Reply<K>, buffers });
      this.pending.set(rid, { resolve: done, reject, sent: this.now(), what });
      try {
        this.model.send({ ...body, type, rid });
      } catch {
        this.pending.delete(rid);
        reject(new Error("the widget is not connected to a kernel"));
        return;
      }
      if (!this.timer) this.timer = setInterval(() => this.check(), 250);
    });
  }

  /** Tell onWaiting which requests are overdue (a cell is running). */
  check(): void {
    const now = this.now();
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
    this.timer = null;
    this.pending.clear();
  }
}
