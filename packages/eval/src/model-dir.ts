// What a model directory says about itself: the template it was trained with (its tokenizer
// bundle) and, for an adapter, where its base is (adapter_config.json). The eval stage and the
// CLI's agent both read them here.
import { existsSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { readJsonFile, TooltuneError } from "@tooltune/core";
import { getTemplate, type ChatTemplate } from "@tooltune/format";
import { readBundleSummary } from "@tooltune/tokenize";

/** The template named in the directory's tokenizer bundle (CONTRIBUTING: tokenizer bundle). */
export function templateOf(dir: string): ChatTemplate {
  const bundleDir = join(dir, "tokenizer");
  // Only the template's name is needed here: reading the JSON beats loading the tokenizer (~4 s).
  const name = readBundleSummary(bundleDir)?.template;
  if (!name) throw new TooltuneError("INPUT", "no tokenizer bundle with a template name beside the model", { where: bundleDir, fix: "use a directory written by the train stage (it copies the tokens dataset's tokenizer/ bundle)" });
  return getTemplate(name, { tokenizer: bundleDir });
}

/**
 * PEFT records the base in adapter_config.json's `base_model_name_or_path`. train writes it
 * relative to the adapter directory (so an adapter is the same wherever the run lives), which is
 * tried first; a relative path that only exists from the working directory is the older reading.
 */
export function baseOf(adapterDir: string): string {
  const file = join(adapterDir, "adapter_config.json");
  const config = readJsonFile(file, "adapter_config.json", "give a PEFT adapter directory (what the train stage writes)") as { base_model_name_or_path?: string };
  const base = config.base_model_name_or_path;
  if (!base) throw new TooltuneError("INPUT", "adapter_config.json names no base model", { where: file, fix: "set base_model_name_or_path to the base model directory" });
  if (isAbsolute(base)) return base;
  const beside = resolve(adapterDir, base);
  return existsSync(beside) || !existsSync(base) ? beside : resolve(base);
}
