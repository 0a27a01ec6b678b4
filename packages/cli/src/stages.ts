import type { StageDefinition } from "@tooltune/core";

export type StageRegistry = ReadonlyMap<string, StageDefinition>;

/**
 * The only list of built-in stages (STYLE §2): `uses: <kind>` in a pipeline and `tooltune <kind>`
 * on the command line both look here. Loaded on demand, so the runner's own tests and library
 * users who pass their own registry never load the stage packages (tfjs, tokenizers).
 */
export async function builtinStages(): Promise<StageDefinition[]> {
  const [format, tokenize] = await Promise.all([import("@tooltune/format"), import("@tooltune/tokenize")]);
  const stages: unknown[] = [format.synthStage, format.ingestStage, format.formatStage, tokenize.tokenizeStage];
  return stages as StageDefinition[];
}

export async function builtinRegistry(): Promise<StageRegistry> {
  return new Map((await builtinStages()).map((s) => [s.kind, s]));
}
