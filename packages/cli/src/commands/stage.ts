import type { Argv } from "yargs";
import { z } from "zod";
import type { StageDefinition } from "@tooltune/core";
import type { CliIO } from "../io.js";
import { BACKEND_CHOICES } from "./options.js";

interface StageArgs {
  input: string[];
  output: string;
  param: string[];
  params?: string;
  seed: number;
  strict: boolean;
  backend?: string;
}

/** `tooltune <kind> …`; `definition` is loaded only when that command is the one being run. */
export function stageCommand(kind: string, definition: StageDefinition | undefined, io: CliIO) {
  return {
    command: kind,
    describe: `run the '${kind}' stage alone: ${io.registry.summary(kind)}`,
    builder: (y: Argv) => y
      .epilog(definition ? `${definition.description}\n\n${paramsHelp(definition)}` : "")
      .option("input", { type: "string", array: true, default: [] as string[], describe: "input: a stage output directory, or a raw file where the stage reads raw files (repeatable)" })
      .option("output", { type: "string", demandOption: true, describe: "output directory (written atomically)" })
      .option("param", { type: "string", array: true, default: [] as string[], describe: "key=value (dotted keys, YAML scalar values)" })
      .option("params", { type: "string", describe: "YAML file of params (--param wins)" })
      .option("seed", { type: "number", default: 42 })
      .option("strict", { type: "boolean", default: false, describe: "fail if any row is rejected" })
      .option("backend", { choices: BACKEND_CHOICES, describe: "compute backend (the stage's `backend` param)" }),
    handler: async (args: StageArgs) => {
      const [{ runOneStage }, { acceptsKey }] = await Promise.all([import("../oneoff.js"), import("../pipeline.js")]);
      const backend = args.backend && acceptsKey(definition!, {}, "backend") ? [`backend=${args.backend}`] : [];
      await runOneStage(definition!, {
        inputs: args.input, output: args.output, params: [...backend, ...args.param], paramsFile: args.params,
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
