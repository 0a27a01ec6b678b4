import { describe, expect, it } from "vitest";
import { fuzzTarget, fuzzTargets } from "./test-fuzz.js";

/**
 * The shrunken, seeded run of the fuzz harness (`npm run bench -- fuzz` runs 100,000 inputs per
 * target): no crash and no broken invariant on any target. Slowness is the bench's to report (a
 * shared CI machine makes per-input times noisy); here only a hang-sized input fails.
 */
const SEED = 15;
/** Inputs per target: the readers take 2,000, the loaders and renderers fewer (well under 10 s in all). */
const COUNT: [RegExp, number][] = [[/ingestRecord|checkOutput/, 500], [/^cli|templates/, 300]];
const countOf = (name: string) => COUNT.find(([re]) => re.test(name))?.[1] ?? 2000;

describe("fuzz (seeded, shrunken)", async () => {
  const targets = await fuzzTargets(SEED);
  it.each(targets.map((t) => [t.name, t] as const))("%s: no crash, no hang", async (name, target) => {
    expect("unavailable" in target ? target.unavailable : "").toBe("");
    if ("unavailable" in target) return;
    const stats = await fuzzTarget(target, countOf(name), SEED);
    const crashes = stats.findings.filter((f) => !/^slow: /.test(f.what));
    expect(crashes.map((f) => `#${f.input}: ${f.what} — ${f.sample}`)).toEqual([]);
    expect(stats.tried).toBe(countOf(name));
    expect(stats.maxMs).toBeLessThan(5000);
  }, 30_000);
});
