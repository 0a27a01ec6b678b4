import type { Argv } from "yargs";
import type { CliIO } from "../io.js";

export function showCommand(io: CliIO) {
  return {
    command: "show <dataset>",
    describe: "print a dataset's manifest, schema, rejects with reasons and first rows",
    builder: (y: Argv) => y
      .positional("dataset", { type: "string", demandOption: true, describe: "a stage output directory" })
      .option("head", { type: "number", default: 5, describe: "how many rows and rejects to print" }),
    handler: async (args: { dataset: string; head: number }) => {
      const { showDataset } = await import("../show.js");
      (await showDataset(args.dataset, args.head, io.cwd)).forEach((line) => io.out(line));
    },
  };
}
