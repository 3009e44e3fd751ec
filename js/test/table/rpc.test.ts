// The runs table's request channel, typed by TableCalls.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { StaleMsg } from "../../src/shared/protocol.gen";
import { type Reply, Rpc } from "../../src/table/rpc";

class Kernel {
  sent: Record<string, unknown>[] = [];
  fail = false;
  send(content: unknown): void {
    if (this.fail) throw new Error("comm closed");
    this.sent.push(content as Record<string, unknown>);
  }
}

test("a request goes out with its type and rid; its reply resolves it, typed", async () => {
  const kernel = new Kernel();
  const rpc = new Rpc(kernel);
  const pending = rpc.request("curves", { ids: ["a"], key: "loss", width: 400 }, "curves");
  assert.deepEqual(kernel.sent, [{ ids: ["a"], key: "loss", width: 400, type: "curves", rid: 1 }]);
  const points = Float64Array.from([0, 1, 5, 4]);
  const reply: Reply<"curves"> = { type: "reply", rid: 1, req: "curves", ok: true, key: "loss", series: [{ run: "a", n: 2, buf: 0 }] };
  rpc.handle(reply, [points.buffer]);
  const { reply: got, buffers } = await pending;
  assert.equal(got.series[0].run, "a");
  assert.equal(buffers[0], points.buffer);
  rpc.dispose();
});

test("replies are matched by rid, whatever order they come in", async () => {
  const rpc = new Rpc(new Kernel());
  const first = rpc.request("delete", { ids: ["x"] }, "the deletion");
  const second = rpc.request("edit", { id: "y", name: "new" }, "the edit");
  const edit: Reply<"edit"> = { type: "reply", rid: 2, req: "edit", ok: true, id: "y", name: "new", notes: "", tags: [] };
  const del: Reply<"delete"> = { type: "reply", rid: 1, req: "delete", ok: true, deleted: ["x"] };
  rpc.handle(edit, []);
  rpc.handle(del, []);
  assert.equal((await second).reply.name, "new");
  assert.deepEqual((await first).reply.deleted, ["x"]);
  rpc.dispose();
});

test("a failed request rejects with the kernel's error; unknown rids are ignored", async () => {
  const rpc = new Rpc(new Kernel());
  const pending = rpc.request("detail", { id: "nope" }, "the run's page");
  rpc.handle({ type: "reply", rid: 99, req: "detail", ok: false, error: "not ours" }, []);
  rpc.handle({ type: "reply", rid: 1, req: "detail", ok: false, error: "ValueError: run 'nope' is not a run" }, []);
  await assert.rejects(pending, /ValueError: run 'nope'/);
  rpc.dispose();
});

test("a request with no kernel to send to rejects at once", async () => {
  const kernel = new Kernel();
  kernel.fail = true;
  const rpc = new Rpc(kernel);
  await assert.rejects(rpc.request("load", {}, "all runs"), /not connected to a kernel/);
  rpc.dispose();
});

test("a stale message from the kernel calls onStale", () => {
  const rpc = new Rpc(new Kernel());
  let stale = 0;
  rpc.onStale = () => stale++;
  const msg: StaleMsg = { type: "stale" };
  rpc.handle(msg, []);
  rpc.handle(null, []);
  assert.equal(stale, 1);
  rpc.dispose();
});

test("a request unanswered for over a second is reported as waiting, until its reply", async () => {
  let clock = 0;
  const rpc = new Rpc(new Kernel(), () => clock);
  const reports: [boolean, string[]][] = [];
  rpc.onWaiting = (waiting, what) => reports.push([waiting, what]);
  const pending = rpc.request("importance", { metric: "summary.loss", ids: [] }, "parameter importance");
  rpc.check();
  assert.deepEqual(reports, []);
  clock = 1500; // a cell is running: the kernel answers when it ends
  rpc.check();
  assert.deepEqual(reports, [[true, ["parameter importance"]]]);
  const reply: Reply<"importance"> = { type: "reply", rid: 1, req: "importance", ok: true, metric: "summary.loss", method: "m", rows: [], n: 0 };
  rpc.handle(reply, []);
  await pending;
  assert.deepEqual(reports[reports.length - 1], [false, []]);
  rpc.dispose();
});
