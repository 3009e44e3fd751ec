// Per-model controller, created in anywidget's initialize(): the rows held, the request
// channel, the curve cache. Views render from it; it outlives them.
import type { AnyModel } from "@anywidget/types";
import { TableData } from "./data";
import type { TableKernelMsg, TableTraits } from "../shared/protocol.gen";
import { type Answer, type Call, type RequestBody, Rpc } from "./rpc";

export class Ctl {
  rpc: Rpc;
  data: TableData;
  curves = new Map<string, { x: Float64Array; y: Float64Array }>(); // by seriesId(run, key)
  inflight = new Set<string>(); // seriesId(run, key) requested, not answered yet
  waiting = false;
  waitingWhat: string[] = [];
  status = "";
  loadMs = 0;
  private listeners = new Set<(what: string) => void>();

  constructor(public model: AnyModel<TableTraits>) {
    this.rpc = new Rpc(model);
    this.data = this.fromTraits();
    this.rpc.onWaiting = (w, what) => { this.waiting = w; this.waitingWhat = what; this.emit("waiting"); };
    this.rpc.onStale = () => { this.curves.clear(); this.load(); };
  }

  fromTraits(): TableData {
    const page = this.model.get("page");
    const rows = page && "ids" in page ? page : { ids: [], cols: {} };
    const columns = this.model.get("columns") || [];
    return TableData.from(columns, { ids: rows.ids || [], cols: rows.cols || {} }, [], (rows.ids || []).length >= (this.model.get("total") || 0));
  }

  on(fn: (what: string) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  emit(what: string): void {
    for (const fn of this.listeners) fn(what);
  }

  async load(): Promise<void> {
    const t0 = performance.now();
    try {
      const { reply, buffers } = await this.rpc.request("load", {}, "all runs");
      this.data = TableData.from(reply.columns, reply.rows, buffers, true);
      this.loadMs = performance.now() - t0;
      this.status = "";
      this.emit("data");
    } catch (e) {
      this.status = `could not load the runs: ${(e as Error).message}`;
      this.emit("status");
    }
  }

  request<K extends Call>(type: K, body: RequestBody<K>, what: string): Promise<Answer<K>> {
    return this.rpc.request(type, body, what);
  }

  dispose(): void {
    this.rpc.dispose();
    this.listeners.clear();
  }
}

const ctls = new Map<string, Ctl>();

export function getCtl(model: AnyModel<TableTraits>): Ctl {
  const uid = model.get("uid");
  let c = ctls.get(uid);
  if (!c) {
    c = new Ctl(model);
    ctls.set(uid, c);
  }
  return c;
}

export function attachCtl(model: AnyModel<TableTraits>): () => void {
  const ctl = getCtl(model);
  const onMsg = (msg: TableKernelMsg, buffers: unknown[]) => ctl.rpc.handle(msg, buffers || []);
  model.on("msg:custom", onMsg);
  ctl.load();
  return () => {
    model.off("msg:custom", onMsg);
    ctl.dispose();
    ctls.delete(model.get("uid"));
  };
}
