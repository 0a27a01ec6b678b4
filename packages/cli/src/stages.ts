import type { StageDefinition } from "@tooltune/core";

/**
 * The only list of built-in stages (STYLE §2): `uses: <kind>` in a pipeline and `tooltune <kind>`
 * on the command line both look here. Stage packages add theirs as they land.
 */
export const builtinStages: StageDefinition[] = [];

export type StageRegistry = ReadonlyMap<string, StageDefinition>;

export const builtinRegistry = (): StageRegistry => new Map(builtinStages.map((s) => [s.kind, s]));
