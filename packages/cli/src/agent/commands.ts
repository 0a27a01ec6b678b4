/**
 * The yargs commands for using and measuring a tuned model: `agent`, `score`, `lora inspect|merge`.
 * Kept out of main.ts so that main registers them with one line.
 */
import { resolve } from "node:path";
import type { Argv } from "yargs";
import { selectBackend } from "@tooltune/model";
import type { CliIO } from "../main.js";
import { formatAdapterInfo, inspectAdapter, mergeLora } from "../lora-cmd.js";
import { formatScore, scoreFiles } from "../score.js";
import { runAgent } from "./session.js";

/** Paths on the command line are relative to the CLI's working directory (io.cwd), as for `run`. */
const at = (io: CliIO, path: string) => resolve(io.cwd, path);
const optionalAt = (io: CliIO, path: string | undefined) => (path === undefined ? undefined : at(io, path));

export function addToolCommands<T>(cli: Argv<T>, io: CliIO): Argv<T> {
  return cli.command(agentCommand(io)).command(scoreCommand(io)).command(loraCommand(io));
}

function agentCommand(io: CliIO) {
  return {
    command: "agent",
    describe: "run the Thought → Act → Observe loop with your tools: one request (--prompt) or a chat",
    builder: (y: Argv) => y
      .option("model", { type: "string", demandOption: true, describe: "model directory (HF layout + tokenizer/ bundle), or an adapter directory" })
      .option("adapter", { type: "string", describe: "PEFT adapter directory on top of --model" })
      .option("tools", { type: "string", demandOption: true, describe: "tools.json (schemas + recorded answers), a .js/.ts module exporting `tools`, or builtin" })
      .option("prompt", { type: "string", describe: "one request; without it, an interactive chat" })
      .option("confirm", { type: "boolean", default: false, describe: "ask y/n before each tool call" })
      .option("max-steps", { type: "number", default: 6, describe: "model turns per request before the loop is cut off" })
      .option("timeout-ms", { type: "number", default: 10_000, describe: "a tool call taking longer answers with a timeout error" })
      .option("temperature", { type: "number", default: 0, describe: "0 = greedy" })
      .option("max-new-tokens", { type: "number", default: 256 }),
    handler: async (a: { model: string; adapter?: string; tools: string; prompt?: string; confirm: boolean; maxSteps: number; timeoutMs: number; temperature: number; maxNewTokens: number }) => {
      await runAgent(
        { model: at(io, a.model), adapter: optionalAt(io, a.adapter), tools: a.tools === "builtin" ? a.tools : at(io, a.tools), prompt: a.prompt, confirm: a.confirm, maxSteps: a.maxSteps, timeoutMs: a.timeoutMs, temperature: a.temperature, maxNewTokens: a.maxNewTokens },
        { input: process.stdin, write: (t) => process.stdout.write(t), signal: io.signal, log: (l) => io.log.info(l) },
      );
    },
  };
}

function scoreCommand(io: CliIO) {
  return {
    command: "score",
    describe: "score outputs a model produced elsewhere (BFCL result files or {id, output} JSONL) with eval's checkers",
    builder: (y: Argv) => y
      .option("outputs", { type: "string", demandOption: true, describe: "JSONL of {id, result} (BFCL) or {id, output}" })
      .option("answers", { type: "string", demandOption: true, describe: "BFCL folder / question / possible_answer file, a conversations dataset, or a conversations file" })
      .option("mode", { choices: ["strict", "bfcl"] as const, default: "strict" as const, describe: "bfcl: BFCL's decoding and checker exactly; strict: optimal matching, malformed never passes" })
      .option("split", { type: "string", describe: "only this split of a conversations dataset" })
      .option("report", { type: "string", describe: "write metrics.json and report.html into this directory" }),
    handler: async (a: { outputs: string; answers: string; mode: "strict" | "bfcl"; split?: string; report?: string }) => {
      const result = await scoreFiles({ outputs: at(io, a.outputs), answers: at(io, a.answers), mode: a.mode, split: a.split, report: optionalAt(io, a.report) });
      formatScore(result).forEach((line) => io.out(line));
      if (a.report) io.log.info(`score: report in ${a.report}`);
    },
  };
}

function loraCommand(io: CliIO) {
  return {
    command: "lora <command>",
    describe: "inspect a LoRA adapter, or merge it into its base",
    builder: (y: Argv) => y
      .command({
        command: "inspect <adapter>",
        describe: "config, targets, ranks, parameter counts and new tokens of an adapter",
        builder: (s: Argv) => s.positional("adapter", { type: "string", demandOption: true }),
        handler: (a: { adapter: string }) => formatAdapterInfo(inspectAdapter(at(io, a.adapter))).forEach((line) => io.out(line)),
      })
      .command({
        command: "merge",
        describe: "fold the adapter into the base: an HF checkpoint with the tokenizer bundle",
        builder: (s: Argv) => s
          .option("base", { type: "string", demandOption: true, describe: "base model directory" })
          .option("adapter", { type: "string", demandOption: true, describe: "PEFT adapter directory" })
          .option("out", { type: "string", demandOption: true, describe: "output directory (written atomically)" }),
        handler: async (a: { base: string; adapter: string; out: string }) => {
          await selectBackend("auto", (l) => io.log.info(l));
          await mergeLora({ base: at(io, a.base), adapter: at(io, a.adapter), out: at(io, a.out), log: (l) => io.log.info(l) });
          io.log.info(`lora merge: wrote ${a.out}`);
        },
      })
      .demandCommand(1, "name a lora command: inspect or merge"),
    handler: () => {},
  };
}
