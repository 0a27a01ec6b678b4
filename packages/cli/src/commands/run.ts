import type { Argv } from "yargs";
import type { CliIO } from "../io.js";
import { BACKEND_CHOICES, pipelineOptions } from "./options.js";

interface RunArgs {
  pipeline: string;
  set?: string[];
  only?: string;
  from?: string;
  to?: string;
  force: boolean;
  dryRun: boolean;
  strict: boolean;
  backend?: string;
}

export function runCommand(io: CliIO) {
  return {
    command: "run <pipeline>",
    describe: "run a pipeline: only stages whose cache key changed, like `dvc repro`",
    builder: (y: Argv) => pipelineOptions(y)
      .option("only", { type: "string", describe: "comma-separated stages to consider (others are left as they are)" })
      .option("from", { type: "string", describe: "this stage and everything downstream of it" })
      .option("to", { type: "string", describe: "this stage and everything it needs" })
      .option("force", { type: "boolean", default: false, describe: "run the selected stages even if up to date" })
      .option("dry-run", { type: "boolean", default: false, describe: "print what would run and why; run nothing" })
      .option("strict", { type: "boolean", default: false, describe: "fail a stage that rejects any row" })
      .option("backend", { choices: BACKEND_CHOICES, describe: "compute backend: sets the `backend` param of every stage that has one" }),
    handler: async (args: RunArgs) => {
      const { runPipeline } = await import("../run.js");
      const result = await runPipeline(args.pipeline, {
        only: args.only?.split(",").map((s) => s.trim()).filter(Boolean),
        from: args.from, to: args.to, force: args.force, dryRun: args.dryRun, strict: args.strict,
        sets: args.set, backend: args.backend, cwd: io.cwd, signal: io.signal, log: io.log, print: io.out, registry: io.registry,
      });
      if (!args.dryRun) io.log.info(`${result.pipeline.name}: ${result.ran.length} ran, ${result.skipped.length} skipped (outputs in ${result.pipeline.workdir})`);
    },
  };
}
