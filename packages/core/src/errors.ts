/**
 * One error family for the whole project (STYLE §11). Every error says what went wrong (code +
 * message), where (a file:row:field or file:line:col), and what to change. Only the CLI's entry
 * point prints errors and sets the exit code; bad rows are never thrown, they become rejects.
 */
export type ErrorCode =
  | "CONFIG" // bad pipeline YAML or stage params
  | "INPUT" // an input file or dataset that cannot be read
  | "SCHEMA" // a dataset whose columns are not what the stage needs
  | "STAGE" // a stage failed while running
  | "REJECTS" // --strict and a stage rejected rows
  | "BACKEND" // no compute backend could be set up
  | "INTERRUPTED" // the user stopped the run (Ctrl-C)
  | "INTERNAL";

export interface ErrorDetails {
  /** `file:line:col` or `file:row:field` — where the user should look. */
  where?: string;
  /** What to change so that it works. */
  fix?: string;
  /** The pipeline stage it happened in, when there is one. */
  stage?: string;
  cause?: unknown;
}

export class TooltuneError extends Error {
  readonly code: ErrorCode;
  readonly where?: string;
  readonly fix?: string;
  readonly stage?: string;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "TooltuneError";
    this.code = code;
    this.where = details.where;
    this.fix = details.fix;
    this.stage = details.stage;
  }

  /** The one-paragraph form the CLI prints (reads only fields, so it also formats another copy's error). */
  format(): string {
    const head = [this.where, this.stage && `stage '${this.stage}'`].filter(Boolean).join(": ");
    const lines = [`${head ? head + ": " : ""}${this.code}: ${this.message}`];
    if (this.fix) lines.push(`  fix: ${this.fix}`);
    return lines.join("\n");
  }
}

/**
 * Whether `e` is one of ours, also when it comes from another copy of this module: a stage module
 * loaded through tsx resolves @tooltune/core to dist/, not to the instance the runner uses, so
 * `instanceof` alone would call its errors INTERNAL. Same name and a string code is the same family.
 */
export function isTooltuneError(e: unknown): e is TooltuneError {
  if (e instanceof TooltuneError) return true;
  return e instanceof Error && e.name === "TooltuneError" && typeof (e as { code?: unknown }).code === "string";
}
