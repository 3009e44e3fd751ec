// The few declarations of node's test runner and assert that the tests use (the project
// has no @types/node: the widget code runs in browsers).
declare module "node:test" {
  export function test(name: string, fn: () => void | Promise<void>): Promise<void>;
  export function describe(name: string, fn: () => void): void;
}

declare module "node:assert/strict" {
  interface Assert {
    (value: unknown, message?: string): asserts value;
    ok(value: unknown, message?: string): asserts value;
    equal(actual: unknown, expected: unknown, message?: string): void;
    notEqual(actual: unknown, expected: unknown, message?: string): void;
    deepEqual(actual: unknown, expected: unknown, message?: string): void;
    throws(fn: () => unknown, expected?: RegExp | (new (...args: never[]) => Error), message?: string): void;
    rejects(p: Promise<unknown>, expected?: RegExp | (new (...args: never[]) => Error), message?: string): Promise<void>;
  }
  const assert: Assert;
  export default assert;
}
