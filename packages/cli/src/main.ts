import yargs, { type Argv } from "yargs";
import { createLogger, isTooltuneError, TOOL, TooltuneError, type StageDefinition } from "@tooltune/core";
import type { CliIO } from "./io.js";
import { builtinRegistry } from "./stages.js";
import { agentCommand } from "./commands/agent.js";
import { exportCommand } from "./commands/export.js";
import { loraCommand } from "./commands/lora.js";
import { runCommand } from "./commands/run.js";
import { scoreCommand } from "./commands/score.js";
import { showCommand } from "./commands/show.js";
import { stageCommand } from "./commands/stage.js";
import { statusCommand } from "./commands/status.js";

/**
 * The yargs program; commands call into the library and throw, never print errors or exit. Each
 * command imports what it runs only in its handler, so `--help`, `show` and `status` never load
 * tfjs or the model packages (seconds of start-up).
 */
export function buildCli(argv: string[], io: CliIO, loaded?: StageDefinition): Argv {
  let cli = yargs(argv)
    .scriptName("tooltune")
    .usage("$0 <command>\n\nFine-tune language models for function calling with LoRA, as pipelines of cached stages.")
    .exitProcess(false)
    .strict()
    .fail((message, error) => {
      throw error ?? new TooltuneError("CONFIG", message, { fix: "see `tooltune --help` or `tooltune <command> --help`" });
    })
    .command(runCommand(io))
    .command(statusCommand(io))
    .command(showCommand(io));
  for (const kind of io.registry.kinds) cli = cli.command(stageCommand(kind, loaded?.kind === kind ? loaded : undefined, io));
  cli = cli.command(agentCommand(io)).command(scoreCommand(io)).command(loraCommand(io)).command(exportCommand(io));
  return cli.demandCommand(1, "name a command").recommendCommands().help().version(TOOL.version).wrap(Math.min(110, process.stdout.columns ?? 100));
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
    return isTooltuneError(e) && e.code === "INTERRUPTED" ? 130 : 1;
  } finally {
    process.off("SIGINT", onSigint);
  }
}

function describeError(e: unknown): string {
  if (isTooltuneError(e)) {
    const cause = e.cause instanceof Error && !e.message.includes(e.cause.message) ? `\n  cause: ${e.cause.message}` : "";
    // format() through the prototype: an error from another copy of core may be a bare Error with our fields.
    return TooltuneError.prototype.format.call(e) + cause;
  }
  // Not one of ours: a bug. Say so with the stack so it can be reported.
  return `INTERNAL: ${(e as Error)?.stack ?? String(e)}`;
}
