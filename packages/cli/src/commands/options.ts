import { BACKENDS } from "@tooltune/model/backends";
import type { Argv } from "yargs";

/** The positional and `--set` that `run` and `status` share. */
export function pipelineOptions<T>(y: Argv<T>) {
  return y
    .positional("pipeline", { type: "string", demandOption: true, describe: "pipeline YAML file" })
    .option("set", { type: "string", array: true, describe: "override a param: stage.key=value (YAML scalar)" });
}

/** `--backend` choices: model's own list (its tfjs-free module), plus `auto`. */
export const BACKEND_CHOICES = ["auto", ...BACKENDS] as const;
