// The public test data kept beside the repository, never copied into it (CONTRIBUTING):
// `<repo>/../shared/data`. Tests and benches find it here instead of counting `../` from where
// they happen to sit (`@tooltune/core/shared-data`).
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root: the nearest directory above this module holding nx.json. */
function repoRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "nx.json"))) return dir;
    if (dirname(dir) === dir) throw new Error("no nx.json above @tooltune/core: not inside the tooltune repository");
  }
}

/** A path under the shared data folder, e.g. `sharedData("bfcl")`; ends with `/` when `parts` does. */
export function sharedData(...parts: string[]): string {
  return join(repoRoot(), "..", "shared", "data", ...parts);
}
