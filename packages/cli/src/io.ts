import type { Logger } from "@tooltune/core";
import type { StageRegistry } from "./stages.js";

/** What a command may touch: the entry point makes the real one, tests pass their own. */
export interface CliIO {
  /** Results (plans, status, show) go to stdout; logs and errors to stderr. */
  out(line: string): void;
  err(text: string): void;
  log: Logger;
  registry: StageRegistry;
  signal: AbortSignal;
  cwd: string;
}
