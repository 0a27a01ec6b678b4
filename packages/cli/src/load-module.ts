import { pathToFileURL } from "node:url";
import { extname } from "node:path";
import type { StageDefinition } from "@tooltune/core";

/**
 * Loads a stage from a module file: the default export or an export named `stage`. TypeScript
 * files (.ts/.mts/.cts) go through tsx's `tsImport`, so a swapped-in stage needs no build step.
 * Returns a message instead of throwing, so the caller can say where in the YAML it was named.
 */
export async function loadModuleStage(file: string): Promise<StageDefinition | string> {
  let mod: Record<string, unknown>;
  try {
    const url = pathToFileURL(file).href;
    if ([".ts", ".mts", ".cts"].includes(extname(file))) {
      const { tsImport } = await import("tsx/esm/api");
      mod = await tsImport(url, import.meta.url);
    } else {
      mod = await import(url);
    }
  } catch (e) {
    return `cannot load stage module '${file}': ${(e as Error).message.split("\n")[0]}`;
  }
  const stage = (mod.default ?? mod.stage) as Partial<StageDefinition> | undefined;
  const problems = stageProblems(stage);
  return problems ? `'${file}' does not export a stage (default export or 'stage'): ${problems}` : (stage as StageDefinition);
}

function stageProblems(stage: Partial<StageDefinition> | undefined): string | undefined {
  if (!stage || typeof stage !== "object") return "nothing exported";
  const missing = [
    typeof stage.kind !== "string" && "kind",
    typeof stage.version !== "string" && "version",
    typeof stage.run !== "function" && "run",
    typeof (stage.params as { safeParse?: unknown } | undefined)?.safeParse !== "function" && "params (a zod schema)",
    stage.output !== "dataset" && stage.output !== "directory" && "output ('dataset' or 'directory')",
  ].filter(Boolean);
  return missing.length ? `missing ${missing.join(", ")}` : undefined;
}
