// Bundles src/index.ts into ../nbtrack/static/widget.js (+ widget.css) for anywidget.
// --define:define.amd=false keeps the bundle working in VS Code (AMD `define` checks break there).
import * as esbuild from "esbuild";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const options = {
  entryPoints: [path.join(here, "src/index.ts")],
  outfile: path.join(here, "../nbtrack/static/widget.js"),
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
