import { expect, it } from "vitest";
import { Rng, mixSeed } from "./rng.js";

it("Rng is deterministic and resumable from its state", () => {
  const a = new Rng(42);
  const first = [a.next(), a.next()];
  const saved = a.state;
  const rest = [a.next(), a.next()];
  expect(new Rng(42).next()).toBe(first[0]);
  const b = new Rng(saved);
  expect([b.next(), b.next()]).toEqual(rest);
  expect(new Rng(7).shuffle([1, 2, 3, 4, 5, 6]).sort()).toEqual([1, 2, 3, 4, 5, 6]);
});

it("mixSeed separates nearby inputs", () => {
  const seeds = new Set([mixSeed(1, 0, 0), mixSeed(1, 0, 1), mixSeed(1, 1, 0), mixSeed(2, 0, 0)]);
  expect(seeds.size).toBe(4);
});
