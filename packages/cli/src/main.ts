import yargs, { type Argv } from "yargs";
import { z } from "zod";
import { createLogger, TOOL, TooltuneError, type Logger, type StageDefinition } from "@tooltune/core";
import { sameFamily } from "./execute-stage.js";
import { runOneStage } from "./oneoff.js";
import { acceptsKey } from "./pipeline.js";
import { runPipeline } from "./run.js";
import { showDataset } from "./show.js";
import { builtinRegistry, type StageRegistry } from "./stages.js";
import { formatStatus, pipelineStatus } from "./status.js";
import { addToolCommands } from "./agent/commands.js";

export interface CliIO {
  /** Results (plans, status, show) go to stdout; logs and errors to stderr. */
  out(line: string): void;
  err(text: string): void;
  log: Logger;
  registry: StageRegistry;
  signal: AbortSignal;
  cwd: string;
}

const BACKENDS = ["auto", "tensorflow", "native", "wasm", "cpu"] as const;

/** The yargs program; commands call into the library and throw, never print errors or exit. */
export function buildCli(argv: string[], io: CliIO, loaded?: StageDefinition): Argv {
  let cli = yargs(argv)
    .scriptName("tooltune")
    .usage("$0 <command>\n\nFine-tune language models for function calling with LoRA, as pipelines of cached stages.")
    .exitProcess(false)
    .strict()
    .fail((message, error) => {
      throw error ?? new TooltuneError("CONFIG", message, { fix: "see `tooltune --help` or `tooltune <command> --help`" });
    })
    .command(
      "run <pipeline>",
      "run a pipeline: only stages whose cache key changed, like `dvc repro`",
      (y) => pipelineOptions(y)
        .option("only", { type: "string", describe: "comma-separated stages to consider (others are left as they are)" })
        .option("from", { type: "string", describe: "this stage and everything downstream of it" })
        .option("to", { type: "string", describe: "this stage and everything it needs" })
        .option("force", { type: "boolean", default: false, describe: "run the selected stages even if up to date" })
        .option("dry-run", { type: "boolean", default: false, describe: "print what would run and why; run nothing" })
        .option("strict", { type: "boolean", default: false, describe: "fail a stage that rejects any row" })
        .option("backend", { choices: BACKENDS, describe: "compute backend: sets the `backend` param of every stage that has one" }),
      async (args) => {
        const result = await runPipeline(args.pipeline, {
          only: args.only?.split(",").map((s) => s.trim()).filter(Boolean),
          from: args.from, to: args.to, force: args.force, dryRun: args.dryRun, strict: args.strict,
          sets: args.set, backend: args.backend, cwd: io.cwd, signal: io.signal, log: io.log, print: io.out, registry: io.registry,
        });
        if (!args.dryRun) io.log.info(`${result.pipeline.name}: ${result.ran.length} ran, ${result.skipped.length} skipped (outputs in ${result.pipeline.workdir})`);
      },
    )
    .command(
      "status <pipeline>",
      "say for each stage whether it is up to date, and if not why",
      (y) => pipelineOptions(y),
      async (args) => {
        const statuses = await pipelineStatus(args.pipeline, { registry: io.registry, cwd: io.cwd, sets: args.set });
        formatStatus(statuses).forEach((line) => io.out(line));
      },
    )
    .command(
      "show <dataset>",
      "print a dataset's manifest, schema, rejects with reasons and first rows",
      (y) => y
        .positional("dataset", { type: "string", demandOption: true, describe: "a stage output directory" })
        .option("head", { type: "number", default: 5, describe: "how many rows and rejects to print" }),
      async (args) => (await showDataset(args.dataset, args.head, io.cwd)).forEach((line) => io.out(line)),
    );
  for (const kind of io.registry.kinds) cli = cli.command(stageCommand(kind, loaded?.kind === kind ? loaded : undefined, io));
  cli = addToolCommands(cli, io);
  return cli.demandCommand(1, "name a command").recommendCommands().help().version(TOOL.version).wrap(Math.min(110, process.stdout.columns ?? 100));
}

function pipelineOptions<T>(y: Argv<T>) {
  return y
    .positional("pipeline", { type: "string", demandOption: true, describe: "pipeline YAML file" })
    .option("set", { type: "string", array: true, describe: "override a param: stage.key=value (YAML scalar)" });
}

/** `tooltune <kind> …`; `definition` is loaded only when that command is the one being run. */
function stageCommand(kind: string, definition: StageDefinition | undefined, io: CliIO) {
  return {
    command: kind,
    describe: `run the '${kind}' stage alone: ${io.registry.summary(kind)}`,
    builder: (y: Argv) => y
      .epilog(definition ? `${definition.description}\n\n${paramsHelp(definition)}` : "")
      .option("input", { type: "string", array: true, default: [] as string[], describe: "input stage output directory (repeatable)" })
      .option("output", { type: "string", demandOption: true, describe: "output directory (written atomically)" })
      .option("param", { type: "string", array: true, default: [] as string[], describe: "key=value (dotted keys, YAML scalar values)" })
      .option("params", { type: "string", describe: "YAML file of params (--param wins)" })
      .option("seed", { type: "number", default: 42 })
      .option("strict", { type: "boolean", default: false, describe: "fail if any row is rejected" })
      .option("backend", { choices: BACKENDS, describe: "compute backend (the stage's `backend` param)" }),
    handler: async (args: { input: string[]; output: string; param: string[]; params?: string; seed: number; strict: boolean; backend?: string }) => {
      await runOneStage(definition!, {
        inputs: args.input, output: args.output, params: args.backend && acceptsKey(definition!, {}, "backend") ? [`backend=${args.backend}`, ...args.param] : args.param, paramsFile: args.params,
        seed: args.seed, strict: args.strict, signal: io.signal, log: io.log, cwd: io.cwd,
      });
    },
  };
}

/** The stage's params as --help text, from its zod schema's descriptions and defaults. */
export function paramsHelp(definition: StageDefinition): string {
  let schema: { properties?: Record<string, { type?: unknown; default?: unknown; description?: string }> };
  try {
    schema = z.toJSONSchema(definition.params, { io: "input", unrepresentable: "any" }) as typeof schema;
  } catch {
    return "";
  }
  const rows = Object.entries(schema.properties ?? {}).map(([name, p]) => {
    const type = Array.isArray(p.type) ? p.type.join("|") : (p.type ?? "value");
    const def = p.default === undefined ? "" : `, default ${JSON.stringify(p.default)}`;
    return `  ${name} (${String(type)}${def})${p.description ? `: ${p.description}` : ""}`;
  });
  return rows.length ? `params (--param key=value):\n${rows.join("\n")}` : "";
}

/** The entry point: the only place that prints errors and picks the exit code. */
export async function main(argv: string[], io: Partial<CliIO> = {}): Promise<number> {
  const controller = new AbortController();
  const full: CliIO = {
    out: (line) => process.stdout.write(line + "\n"),
    err: (text) => process.stderr.write(text + "\n"),
    log: createLogger(),
    registry: builtinRegistry,
    signal: controller.signal,
    cwd: process.cwd(),
    ...io,
  };
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130); // second Ctrl-C: quit now
    full.err("stopping at a safe point (Ctrl-C again to quit now)");
    controller.abort();
  };
  if (!io.signal) process.on("SIGINT", onSigint);
  try {
    // Load the one stage a `tooltune <kind>` command runs, so its --help can list the params.
    const loaded = full.registry.kinds.includes(argv[0]) ? await full.registry.load(argv[0]) : undefined;
    await buildCli(argv, full, loaded).parseAsync();
    return 0;
  } catch (e) {
    full.err(describeError(e));
    return sameFamily(e)?.code === "INTERRUPTED" ? 130 : 1;
  } finally {
    process.off("SIGINT", onSigint);
  }
}

function describeError(error: unknown): string {
  const e = sameFamily(error);
  if (e) {
    const cause = e.cause instanceof Error && !e.message.includes(e.cause.message) ? `\n  cause: ${e.cause.message}` : "";
    return e.format() + cause;
  }
  // Not one of ours: a bug. Say so with the stack so it can be reported.
  return `INTERNAL: ${(error as Error)?.stack ?? String(error)}`;
}
