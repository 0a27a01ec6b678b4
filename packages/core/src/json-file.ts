import { readFileSync } from "node:fs";
import { TooltuneError } from "./errors.js";
import { verifyInputFileSync } from "./verify.js";

/**
 * A JSON file the user pointed at (a model's config.json, an adapter's adapter_config.json): a
 * missing or unreadable one is an INPUT error at its path that says what directory was expected,
 * never a bare ENOENT with a stack. `what` names the file, `fix` says what to give instead. A file
 * inside a finished stage output is checked against its manifest first (verifyInputFileSync).
 */
export function readJsonFile(file: string, what: string, fix: string): unknown {
  verifyInputFileSync(file);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    // ENOENT's own text repeats the path: "no such file" says it all.
    if ((cause as NodeJS.ErrnoException).code === "ENOENT") throw new TooltuneError("INPUT", `cannot read ${what}: no such file`, { where: file, fix });
    throw new TooltuneError("INPUT", `cannot read ${what}: ${(cause as Error).message}`, { where: file, fix, cause });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new TooltuneError("INPUT", `${what} is not JSON: ${(cause as Error).message}`, { where: file, fix, cause });
  }
}
