import type { Argv } from "yargs";
import type { CliIO } from "../io.js";
import { at } from "./paths.js";

export function loraCommand(io: CliIO) {
  return {
    command: "lora <command>",
    describe: "inspect a LoRA adapter, or merge it into its base",
    builder: (y: Argv) => y
      .command({
        command: "inspect <adapter>",
        describe: "config, targets, ranks, parameter counts and new tokens of an adapter",
        builder: (s: Argv) => s.positional("adapter", { type: "string", demandOption: true }),
        handler: async (a: { adapter: string }) => {
          const { formatAdapterInfo, inspectAdapter } = await import("../lora-cmd.js");
          formatAdapterInfo(inspectAdapter(at(io, a.adapter))).forEach((line) => io.out(line));
        },
      })
      .command({
        command: "merge",
        describe: "fold the adapter into the base: an HF checkpoint with the tokenizer bundle",
        builder: (s: Argv) => s
          .option("base", { type: "string", demandOption: true, describe: "base model directory" })
          .option("adapter", { type: "string", demandOption: true, describe: "PEFT adapter directory" })
          .option("out", { type: "string", demandOption: true, describe: "output directory (written atomically)" }),
        handler: async (a: { base: string; adapter: string; out: string }) => {
          const [{ selectBackend }, { mergeLora }] = await Promise.all([import("@tooltune/model"), import("../lora-cmd.js")]);
          await selectBackend("auto", (l) => io.log.info(l));
          await mergeLora({ base: at(io, a.base), adapter: at(io, a.adapter), out: at(io, a.out), log: (l) => io.log.info(l) });
          io.log.info(`lora merge: wrote ${a.out}`);
        },
      })
      .demandCommand(1, "name a lora command: inspect or merge"),
    handler: () => {},
  };
}
