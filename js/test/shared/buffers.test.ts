// One decoder for the kernel's binary data.
import assert from "node:assert/strict";
import { test } from "node:test";
import { bytesOf, float64, float64FromBase64, fromBase64 } from "../../src/shared/buffers";
import { base64Of } from "../fake_model";

test("float64 reads an unaligned byte view inside a larger frame", () => {
  const f = Float64Array.from([1.5, -2, Math.PI]);
  const frame = new Uint8Array(f.byteLength + 5);
  frame.set(new Uint8Array(f.buffer), 3);
  assert.deepEqual([...float64(frame.subarray(3, 3 + f.byteLength))], [1.5, -2, Math.PI]);
  assert.deepEqual([...float64(new DataView(frame.buffer, 3, f.byteLength))], [1.5, -2, Math.PI]);
  assert.deepEqual([...float64(f.buffer)], [1.5, -2, Math.PI]);
});

test("float64 copies (the frame may be reused) and drops a trailing partial number", () => {
  const f = Float64Array.from([7, 8]);
  const bytes = new Uint8Array(f.buffer);
  const out = float64(bytes.subarray(0, 12));
  assert.deepEqual([...out], [7]);
  f[0] = 0;
  assert.equal(out[0], 7);
});

test("anything that is not a buffer decodes to nothing", () => {
  assert.equal(float64(undefined).length, 0);
  assert.equal(float64("abc").length, 0);
  assert.equal(bytesOf(null).length, 0);
});

test("base64 arrays decode as Float64 or Float32", () => {
  assert.deepEqual([...float64FromBase64(base64Of(Float64Array.from([0.1, 1e300])), "f8")], [0.1, 1e300]);
  assert.deepEqual([...float64FromBase64(base64Of(Float32Array.from([0.5, 3])), "f4")], [0.5, 3]);
  assert.deepEqual([...fromBase64(" " + base64Of(Uint8Array.from([0, 255, 7])) + "\n")], [0, 255, 7]);
  assert.equal(fromBase64("").length, 0);
});
