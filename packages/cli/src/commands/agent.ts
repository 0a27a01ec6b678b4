import type { Argv } from "yargs";
import type { AgentOptions } from "../agent/session.js";
import type { CliIO } from "../io.js";
import { at, optionalAt } from "./paths.js";

// A type-only import: erased at run time, so `tooltune --help` still loads no model.
type AgentArgs = AgentOptions;

export function agentCommand(io: CliIO) {
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
    handler: async (a: AgentArgs) => {
      const { runAgent } = await import("../agent/session.js");
      await runAgent(
        { model: at(io, a.model), adapter: optionalAt(io, a.adapter), tools: a.tools === "builtin" ? a.tools : at(io, a.tools), prompt: a.prompt, confirm: a.confirm, maxSteps: a.maxSteps, timeoutMs: a.timeoutMs, temperature: a.temperature, maxNewTokens: a.maxNewTokens },
        { input: process.stdin, write: (t) => process.stdout.write(t), signal: io.signal, log: (l) => io.log.info(l) },
      );
    },
  };
}
