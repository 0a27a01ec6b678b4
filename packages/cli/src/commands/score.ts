import type { Argv } from "yargs";
import type { CliIO } from "../io.js";
import { at, optionalAt } from "./paths.js";

interface ScoreArgs {
  outputs: string;
  answers: string;
  mode: "strict" | "bfcl";
  split?: string;
  report?: string;
}

export function scoreCommand(io: CliIO) {
  return {
    command: "score",
    describe: "score outputs a model produced elsewhere (BFCL result files or {id, output} JSONL) with eval's checkers",
    builder: (y: Argv) => y
      .option("outputs", { type: "string", demandOption: true, describe: "JSONL of {id, result} (BFCL) or {id, output}" })
      .option("answers", { type: "string", demandOption: true, describe: "BFCL folder / question / possible_answer file, a conversations dataset, or a conversations file" })
      .option("mode", { choices: ["strict", "bfcl"] as const, default: "strict" as const, describe: "bfcl: BFCL's decoding and checker exactly; strict: optimal matching, malformed never passes" })
      .option("split", { type: "string", describe: "only this split of a conversations dataset" })
      .option("report", { type: "string", describe: "write metrics.json and report.html into this directory" }),
    handler: async (a: ScoreArgs) => {
      const { formatScore, scoreFiles } = await import("../score.js");
      const result = await scoreFiles({ outputs: at(io, a.outputs), answers: at(io, a.answers), mode: a.mode, split: a.split, report: optionalAt(io, a.report) });
      formatScore(result).forEach((line) => io.out(line));
      if (a.report) io.log.info(`score: report in ${a.report}`);
    },
  };
}
