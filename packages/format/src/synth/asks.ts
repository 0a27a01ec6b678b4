/**
 * How people ask for each catalog tool: a draw of arguments from the split's value pools, several
 * phrasings (every fourth held out for test, see `templateSplit`), what the think text says the
 * call is for, and final answers that quote the result. `pair` makes the parallel form: a second
 * call of the same tool, phrased together with the first.
 */
import type { Ask } from "./ask.js";
import { NUMBER_ASKS } from "./asks-numbers.js";
import { WORLD_ASKS } from "./asks-world.js";

export type { Args, Ask, Drawn } from "./ask.js";

export const ASKS: Ask[] = [...NUMBER_ASKS, ...WORLD_ASKS];
