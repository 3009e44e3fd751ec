// `npm test`: node's own test runner over the pure TypeScript logic. esbuild (already the
// bundler) turns each test/**/*.test.ts and what it imports into one .mjs in a temp
// folder, then `node --test` runs them; `npm run typecheck` checks the tests' types.
import * as esbuild from "esbuild";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? testFiles(p) : e.name.endsWith(".test.ts") ? [p] : [];
  });
}

const files = testFiles(here).sort();
const out = mkdtempSync(path.join(tmpdir(), "nbtrack-js-test-"));
let status = 1;
try {
  const result = await esbuild.build({
    entryPoints: files, outdir: out, outbase: here, outExtension: { ".js": ".mjs" },
    bundle: true, platform: "node", format: "esm", target: ["node18"], sourcemap: "inline",
    loader: { ".css": "empty" }, logLevel: "error", metafile: true,
  });
  const outputs = Object.keys(result.metafile.outputs).filter((f) => f.endsWith(".mjs")).map((f) => path.resolve(f));
  const run = spawnSync(process.execPath, ["--enable-source-maps", "--test", ...outputs], { stdio: "inherit" });
  status = run.status ?? 1;
} finally {
  rmSync(out, { recursive: true, force: true });
}
process.exit(status);
