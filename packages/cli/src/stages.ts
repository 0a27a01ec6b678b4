import type { StageDefinition } from "@tooltune/core";

/** Stage kinds by name; definitions load on demand, so a run loads only the packages it uses. */
export interface StageRegistry {
  readonly kinds: readonly string[];
  /** One line for `tooltune --help`. */
  summary(kind: string): string;
  load(kind: string): Promise<StageDefinition | undefined>;
}

/**
 * The only list of built-in stages (STYLE §2): `uses: <kind>` in a pipeline and `tooltune <kind>`
 * on the command line both look here. Each loads its package only when used: the model packages
 * (tfjs) cost seconds to import, which `tooltune show` or a data-only pipeline should not pay.
 */
const BUILTINS: Record<string, { summary: string; load: () => Promise<unknown> }> = {
  synth: { summary: "generate function-calling conversations", load: async () => (await import("@tooltune/format")).synthStage },
  ingest: { summary: "raw conversations (OpenAI, ShareGPT, Hermes, BFCL) → conversations", load: async () => (await import("@tooltune/format")).ingestStage },
  format: { summary: "conversations → formatted text with train spans", load: async () => (await import("@tooltune/format")).formatStage },
  tokenize: { summary: "formatted → tokens (ids, loss masks, packing) + tokenizer bundle", load: async () => (await import("@tooltune/tokenize")).tokenizeStage },
  copy_drills: { summary: "tokens → copy drills (repeated random spans of its ids) for pretraining a base", load: async () => (await import("@tooltune/tokenize")).copyDrillsStage },
  train: { summary: "tokens → LoRA adapter (PEFT layout) or full model, with checkpoints and resume", load: async () => (await import("@tooltune/train")).trainStage },
  eval: { summary: "evaluate a model or adapter on tool calls → report", load: async () => (await import("@tooltune/eval")).evalStage },
};

export const builtinRegistry: StageRegistry = {
  kinds: Object.keys(BUILTINS),
  summary: (kind) => BUILTINS[kind]?.summary ?? "",
  load: async (kind) => (Object.hasOwn(BUILTINS, kind) ? ((await BUILTINS[kind].load()) as StageDefinition) : undefined),
};

/** A registry of stages already in hand (tests, library users with their own stages). */
export function registryOf(stages: StageDefinition[]): StageRegistry {
  const byKind = new Map(stages.map((s) => [s.kind, s]));
  return {
    kinds: [...byKind.keys()],
    summary: (kind) => byKind.get(kind)?.description ?? "",
    load: async (kind) => byKind.get(kind),
  };
}

/** Every built-in stage, loaded (for tests and tools that list them all). */
export async function builtinStages(): Promise<StageDefinition[]> {
  const loaded = await Promise.all(builtinRegistry.kinds.map((k) => builtinRegistry.load(k)));
  return loaded.filter((s): s is StageDefinition => s !== undefined);
}
