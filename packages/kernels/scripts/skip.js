// Runs when `node-gyp rebuild` fails during install (no compiler, no python, no make…):
// npm ci must still succeed, so record one line saying why and exit 0. At run time the
// `native` backend reports this line as its reason for being skipped.
import { mkdirSync, writeFileSync } from "node:fs";

const reason = "native addon was not built at install (node-gyp rebuild failed; needs python3, make and a C++ compiler)";
mkdirSync(new URL("../build/", import.meta.url), { recursive: true });
writeFileSync(new URL("../build/skipped.txt", import.meta.url), reason + "\n");
console.warn(`@tooltune/kernels: ${reason}`);
