import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

// What a package's build reads (nx.json's build inputs, less the native addon's, which is built on
// install, not into dist/). Tests are not built.
const INPUT = /^(package\.json|tsconfig.*\.json)$/;
const TEST = /\.test\.ts$/;

/**
 * Whether every package under `packagesDir` has a dist/ at least as new as its inputs. mtimes,
 * not hashes: a stat of ~300 files costs a few ms, hashing them would cost what we save. An edit
 * undone leaves the sources newer than dist: that only costs the slower start, never stale code.
 */
export function distIsFresh(packagesDir) {
  for (const name of readdirSync(packagesDir)) {
    const pkg = join(packagesDir, name);
    if (!existsSync(join(pkg, "src"))) continue;
    const built = join(pkg, "dist", "index.js");
    if (!existsSync(built)) return false;
    const builtAt = statSync(built).mtimeMs;
    const inputs = [...readdirSync(pkg).filter((n) => INPUT.test(n)).map((n) => join(pkg, n)), ...files(join(pkg, "src"))];
    if (inputs.some((f) => statSync(f).mtimeMs > builtAt)) return false;
  }
  return true;
}

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return files(path);
    return e.isFile() && !TEST.test(e.name) ? [path] : [];
  });
}
