import type { Argv } from "yargs";
import type { CliIO } from "../io.js";
import { pipelineOptions } from "./options.js";

export function statusCommand(io: CliIO) {
  return {
    command: "status <pipeline>",
    describe: "say for each stage whether it is up to date, and if not why",
    builder: (y: Argv) => pipelineOptions(y),
    handler: async (args: { pipeline: string; set?: string[] }) => {
      const { formatStatus, pipelineStatus } = await import("../status.js");
      const statuses = await pipelineStatus(args.pipeline, { registry: io.registry, cwd: io.cwd, sets: args.set });
      formatStatus(statuses).forEach((line) => io.out(line));
    },
  };
}
