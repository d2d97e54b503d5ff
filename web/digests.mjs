// Prints `name digest events` for every built-in scenario, run by the
// WebAssembly build under Node: `node web/digests.mjs web/pkg/kafkasim_web.js`.
// tests/suite/web.rs compares the lines with the native build's.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const glue = process.argv[2];
const m = await import(pathToFileURL(glue).href);
m.initSync({ module: readFileSync(glue.replace(/\.js$/, "_bg.wasm")) });
process.stdout.write(m.digests());
