// The curve smoothing wandb and TensorBoard users expect.
import assert from "node:assert/strict";
import { test } from "node:test";
import { emaDebiased } from "../../src/shared/smooth";

const close = (a: ArrayLike<number>, b: number[]) => b.every((v, i) => Math.abs(a[i] - v) < 1e-12);

test("weight 0 leaves the values as they are", () => {
  assert.deepEqual([...emaDebiased([3, 1, 2], 3, 0)], [3, 1, 2]);
});

test("debiasing keeps the first point and a constant series where they are", () => {
  const out = emaDebiased([5, 5, 5, 5], 4, 0.9);
  assert.ok(close(out, [5, 5, 5, 5]), String([...out]));
});

test("each point is the debiased moving average of those before it", () => {
  const w = 0.5;
  const out = emaDebiased([0, 1, 2], 3, w);
  // last_k = w * last_{k-1} + (1 - w) * v_k ; shown = last_k / (1 - w^k)
  assert.ok(close(out, [0, (0.5 * 1) / 0.75, (0.25 + 0.5 * 2) / 0.875]), String([...out]));
});

test("non-finite values pass through and do not poison what follows", () => {
  const out = emaDebiased([1, NaN, Infinity, 1], 4, 0.6);
  assert.ok(Number.isNaN(out[1]));
  assert.equal(out[2], Infinity);
  assert.ok(close([out[0], out[3]], [1, 1]));
});

test("only the first n points are smoothed", () => {
  assert.equal(emaDebiased([1, 2, 3, 4], 2, 0.5).length, 2);
});
