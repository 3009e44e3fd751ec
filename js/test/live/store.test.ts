// The live panel's per-model store: deltas in order, gaps, resync and healing.
import assert from "node:assert/strict";
import { test } from "node:test";
import { PanelStore, sid } from "../../src/live/store";
import type { DeltaMsg, PanelTraits, SeriesDelta, Snapshot } from "../../src/shared/protocol.gen";
import { FakeModel, base64Of, seriesBuffer } from "../fake_model";

function model(snapshot: Snapshot | Record<string, never> = {}): FakeModel<PanelTraits> {
  return new FakeModel<PanelTraits>({ uid: "u", mode: "live", run: { id: "r" }, runs: [], snapshot, code_ref: "", code_digest: "" });
}

interface Points { x: number[]; y: number[]; off?: number; reset?: boolean; ver?: number }

/** A delta of one series "loss" of run "r" (t = x + 1000). */
function delta(seq: number, p: Points): [DeltaMsg, unknown[]] {
  const n = p.x.length;
  const s: SeriesDelta = { run: "r", key: "loss", ver: p.ver ?? 1, off: p.off ?? 0, n, reset: p.reset ?? false, buf: 0 };
  const msg: DeltaMsg = { type: "delta", seq, step: p.x[n - 1] ?? null, now: 0, series: [s], images: [], hists: [] };
  return [msg, [seriesBuffer(p.x, p.x.map((v) => v + 1000), p.y)]];
}

const resyncs = (m: FakeModel<PanelTraits>) => m.sent.filter((s) => (s as { type?: string }).type === "resync").length;
const held = (store: PanelStore) => store.series.get(sid("r", "loss"))!;
const xs = (store: PanelStore) => [...held(store).x.subarray(0, held(store).n)];

test("deltas in order append every point, with no resync", () => {
  const m = model();
  const store = new PanelStore(m);
  store.receive(...delta(1, { x: [0, 1, 2], y: [5, 4, 3], reset: true }));
  store.receive(...delta(2, { x: [3, 4], y: [2, 1], off: 3 }));
  assert.deepEqual(xs(store), [0, 1, 2, 3, 4]);
  assert.deepEqual([...held(store).y.subarray(0, 5)], [5, 4, 3, 2, 1]);
  assert.deepEqual([...held(store).t.subarray(0, 5)], [1000, 1001, 1002, 1003, 1004]);
  assert.equal(held(store).kn, 5);
  assert.equal(held(store).gappy, false);
  assert.equal(store.step, 4);
  assert.equal(resyncs(m), 0);
});

test("a missed delta marks the series gappy and asks the kernel for a resync", () => {
  const m = model();
  const store = new PanelStore(m);
  store.receive(...delta(1, { x: [0, 1, 2], y: [1, 1, 1], reset: true }));
  store.receive(...delta(3, { x: [5, 6], y: [1, 1], off: 5 })); // seq 2 (points 3, 4) never arrived
  assert.equal(held(store).gappy, true);
  assert.deepEqual(xs(store), [0, 1, 2, 5, 6]);
  assert.equal(resyncs(m), 1);
});

test("the full reset the kernel answers a resync with heals the gap", () => {
  const m = model();
  const store = new PanelStore(m);
  store.receive(...delta(1, { x: [0, 1], y: [1, 1], reset: true }));
  store.receive(...delta(3, { x: [4], y: [1], off: 4 }));
  store.receive(...delta(4, { x: [0, 1, 2, 3, 4], y: [9, 8, 7, 6, 5], reset: true }));
  assert.equal(held(store).gappy, false);
  assert.deepEqual(xs(store), [0, 1, 2, 3, 4]);
  assert.deepEqual([...held(store).y.subarray(0, 5)], [9, 8, 7, 6, 5]);
});

test("an append at the wrong offset or mirror version is a gap even when seq is in order", () => {
  const m = model();
  const store = new PanelStore(m);
  store.receive(...delta(1, { x: [0, 1], y: [1, 1], reset: true }));
  store.receive(...delta(2, { x: [2, 3], y: [1, 1], off: 2, ver: 2 })); // the kernel compacted its mirror
  assert.equal(held(store).gappy, true);
  assert.equal(resyncs(m), 1);
});

test("points already held are not appended twice", () => {
  const store = new PanelStore(model());
  store.receive(...delta(1, { x: [0, 1, 2], y: [1, 1, 1], reset: true }));
  store.receive(...delta(2, { x: [1, 2, 3], y: [1, 1, 1], off: 1 }));
  assert.deepEqual(xs(store), [0, 1, 2, 3]);
});

test("a first delta that is not a reset starts a gappy series and a resync", () => {
  const m = model();
  const store = new PanelStore(m);
  store.receive(...delta(7, { x: [10, 11], y: [1, 1], off: 10 })); // the page opened mid-run
  assert.equal(held(store).gappy, true);
  assert.equal(resyncs(m), 1);
});

function snapshot(seq: number): Snapshot {
  const x = Float32Array.from([0, 1, 2]);
  return {
    v: 1, seq, step: 2, now: 0, images: [], hists: [],
    series: [{ run: "r", key: "loss", ver: 1, n: 3, t0: 1000, xk: "f4", x: base64Of(x),
               t: base64Of(Float32Array.from([0, 0.5, 1])), y: base64Of(Float32Array.from([0.25, 0.5, 0.75])) }],
  };
}

test("the saved snapshot is decoded from base64 (x Float32 when xk is f4, t relative to t0)", () => {
  const store = new PanelStore(model(snapshot(4)));
  assert.deepEqual(xs(store), [0, 1, 2]);
  assert.deepEqual([...held(store).t], [1000, 1000.5, 1001]);
  assert.deepEqual([...held(store).y], [0.25, 0.5, 0.75]);
  assert.equal(store.seq, 4);
  assert.equal(store.step, 2);
});

test("a delta the snapshot already covers is dropped; the next one appends", () => {
  const m = model(snapshot(4));
  const store = new PanelStore(m);
  store.receive(...delta(4, { x: [0, 1, 2, 99], y: [0, 0, 0, 0], reset: true }));
  assert.deepEqual(xs(store), [0, 1, 2]);
  store.receive(...delta(5, { x: [3], y: [1], off: 3 }));
  assert.deepEqual(xs(store), [0, 1, 2, 3]);
  assert.equal(resyncs(m), 0);
});

test("an empty snapshot trait (before the first checkpoint) is no snapshot", () => {
  const store = new PanelStore(model({}));
  assert.equal(store.series.size, 0);
  assert.equal(store.seq, 0);
});

test("the earlier runs arrive once and are kept apart from the run's own series", () => {
  const store = new PanelStore(model());
  let changes = 0;
  store.subscribe(() => changes++);
  const s = snapshot(1).series[0];
  store.receive({ type: "earlier", runs: [{ id: "old", name: "old run" }], series: [{ ...s, run: "old" }] }, []);
  assert.equal(store.series.size, 0);
  assert.deepEqual([...store.earlier.keys()], [sid("old", "loss")]);
  assert.equal(store.earlier.get(sid("old", "loss"))!.earlier, true);
  assert.deepEqual(store.runs.map((r) => r.id), ["old"]);
  assert.equal(changes, 1);
});

test("histogram steps past the cap are thinned by half, the latest kept", () => {
  const store = new PanelStore(model());
  for (let step = 0; step < 65; step++) {
    const msg: DeltaMsg = { type: "delta", seq: step + 1, step, now: 0, series: [], images: [],
                            hists: [{ run: "r", key: "w", step, lo: 0, hi: 1, counts: [1, 2, 3] }] };
    store.receive(msg, []);
  }
  const h = store.hists.get(sid("r", "w"))!;
  assert.equal(h.steps.length, 33);
  assert.equal(h.steps[h.steps.length - 1], 64);
  assert.equal(h.steps[0], 0);
  assert.deepEqual(Array.from(h.counts[h.counts.length - 1]), [1, 2, 3]);
});
