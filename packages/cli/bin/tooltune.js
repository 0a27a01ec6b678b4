#!/usr/bin/env node
// Runs the built dist/ when every workspace package's dist/ is newer than its sources, else the
// TypeScript sources through tsx. So `npx tooltune` works right after `npm ci` (no dist at all),
// never runs code older than the sources after an edit or a pull, and still starts about twice as
// fast once built (tsx's loader hooks cost ~1 s of CPU over the ~300 modules `--help` loads).
// TOOLTUNE_FROM=src or =dist forces one (tests; timing).
import { register } from "node:module";
import { fileURLToPath } from "node:url";
import { distIsFresh } from "./fresh.js";

const packages = fileURLToPath(new URL("../../", import.meta.url));
const from = process.env.TOOLTUNE_FROM ?? (distIsFresh(packages) ? "dist" : "src");

// `tooltune show DIR | head` closes stdout early: that is the reader's choice, not an error.
process.stdout.on("error", (e) => process.exit(e.code === "EPIPE" ? 0 : 1));

let main;
if (from === "src") {
  // The "tooltune-src" export condition makes every @tooltune/* package resolve to its src/ too
  // (as vitest does), so no package needs a dist/.
  register("./src-condition.js", import.meta.url);
  (await import("tsx/esm/api")).register();
  ({ main } = await import("../src/main.ts"));
} else {
  ({ main } = await import("../dist/main.js"));
}
process.exitCode = await main(process.argv.slice(2));
