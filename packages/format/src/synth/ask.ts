/** What an ask is (see asks.ts), and the small helpers the ask tables share. */
import type { Json, ToolResult } from "./catalog/tool.js";
import { PoolExhausted, type Split } from "./pools.js";
import type { Rng } from "./rng.js";

export type Args = Record<string, Json>;
/** Drawn arguments plus display words (`x`) the phrasings need, e.g. "miles" for "mi". */
export interface Drawn {
  args: Args;
  x: Record<string, Json>;
}

export interface Ask {
  /** Unique; the tool name unless one tool has several ways of being asked for. */
  id: string;
  tool: string;
  draw(rng: Rng, split: Split): Drawn;
  /** Noun phrase for the think text, with `{a.*}` / `{x.*}` slots. */
  goal: string;
  asks: string[];
  /** Final answers, with `{a.*}`, `{x.*}` and `{r.*}` (result) slots; a function when the result picks the wording. */
  answers: string[] | ((result: ToolResult) => string[]);
  pair?: { draw(rng: Rng, split: Split, first: Drawn): Drawn; asks: string[] };
}


/** A value from `pick` other than `not` (the second city of a pair, …). */
export const distinct = <T>(pick: () => T, not: T): T => {
  for (let i = 0; i < 100; i++) {
    const v = pick();
    if (v !== not) return v;
  }
  throw new PoolExhausted("distinct: no other value in the pool");
};
