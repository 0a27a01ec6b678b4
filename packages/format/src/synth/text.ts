import type { Json } from "./catalog/tool.js";
import type { Rng } from "./rng.js";

/** Slot values by name: `a.city` (first call's argument), `r.temperature_c` (its result), `x.to` (extra). */
export type Slots = Record<string, Json | undefined>;

/** `{ a: {city: "Paris"} }` → `{ "a.city": "Paris" }`: the slot names templates use. */
export function slotsOf(groups: Record<string, Record<string, Json> | undefined>): Slots {
  const out: Slots = {};
  for (const [prefix, values] of Object.entries(groups)) {
    for (const [key, value] of Object.entries(values ?? {})) out[`${prefix}.${key}`] = value;
  }
  return out;
}

/** How a value reads in a sentence: numbers as JSON prints them, lists comma-separated. */
export const display = (value: Json): string => (Array.isArray(value) ? value.map(display).join(", ") : String(value));

/**
 * Fills a phrasing template: `[a|b|c]` picks one alternative (the paraphrase slots), `{a.city}`
 * inserts a value. A missing slot is a bug in the template, so it throws.
 */
export function fill(template: string, slots: Slots, rng: Rng): string {
  return template
    .replace(/\[([^\]]*)\]/g, (_, alternatives: string) => rng.pick(alternatives.split("|")))
    .replace(/\{([\w.]+)\}/g, (_, name: string) => {
      const value = slots[name];
      if (value === undefined) throw new Error(`template slot {${name}} has no value: "${template}"`);
      return display(value);
    });
}
