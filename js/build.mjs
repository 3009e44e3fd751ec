// Bundles src/live/index.ts into ../nbtrack/static/widget.js (+ widget.css) for the live panel,
// src/live/loader.ts into loader.js (each panel's small `_esm`: it imports widget.js from the
// kernel's shared WidgetCode model, see nbtrack/live/code.py), src/table/entry.ts into
// table.js (+ table.css) for the runs table, and src/report/entry.ts into report.js
// (+ report.css), inlined into report files and the /nbtrack/ server pages; they share
// source modules.
// --define:define.amd=false keeps the bundle working in VS Code (AMD `define` checks break there).
import * as esbuild from "esbuild";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const options = {
  entryPoints: {
    widget: path.join(here, "src/live/index.ts"),
    loader: path.join(here, "src/live/loader.ts"),
    table: path.join(here, "src/table/entry.ts"),
    report: path.join(here, "src/report/entry.ts"),
  },
  outdir: path.join(here, "../nbtrack/static"),
  bundle: true,
  format: "esm",
  minify: true,
  target: ["es2020"],
  define: { "define.amd": "false" },
  legalComments: "none",
  logLevel: "info",
};
if (process.argv.includes("--watch")) {
  const ctx = await esbuild.context({ ...options, minify: false, sourcemap: "inline" });
  await ctx.watch();
} else {
  await esbuild.build(options);
}
