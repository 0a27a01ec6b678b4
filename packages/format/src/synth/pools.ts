/**
 * Value pools and the train/test partition. Every free value a user states (a city, an amount, a
 * date, a currency pair, a product, a sentence) belongs to exactly one split, decided by a hash of
 * the value itself, so the test split asks about values the train split never shows. Phrasing
 * templates are partitioned by their index. Both rules are independent of the seed: a model
 * trained on one seed's train split has still never seen another seed's test values.
 */
import { FLIGHTS, CITIES } from "./catalog/world.js";
import { PRODUCTS } from "./catalog/shop.js";
import { USD_RATES } from "./catalog/money.js";
import { formatDate } from "./catalog/dates.js";
import { hash32, type Rng } from "./rng.js";

export type Split = "train" | "test";

/**
 * A draw that found nothing to give: its split's share of a pool holds no value it may use (a
 * currency whose only test-split target is the one the first call already took). Not a bug: the
 * generator starts the row over on another random stream (see `generateConversation`).
 */
export class PoolExhausted extends Error {}

/** About a quarter of every pool is held out, enough values for a test split of a few hundred rows. */
const TEST_SHARE_PER_MILLE = 250;

export const valueSplit = (value: string | number): Split =>
  hash32(`value:${value}`) % 1000 < TEST_SHARE_PER_MILLE ? "test" : "train";

/** Every fourth phrasing of a list is held out for test (lists have at least four). */
export const templateSplit = (index: number): Split => (index % 4 === 3 ? "test" : "train");

/** Draws from `gen` until the value belongs to `split` (a quarter or three quarters of draws do). */
export function draw<T extends string | number>(rng: Rng, split: Split, gen: () => T): T {
  for (let tries = 0; tries < 1000; tries++) {
    const value = gen();
    if (valueSplit(value) === split) return value;
  }
  throw new PoolExhausted("draw: the generator never produced a value of this split");
}

const partition = (values: string[]) => ({
  train: values.filter((v) => valueSplit(v) === "train"),
  test: values.filter((v) => valueSplit(v) === "test"),
});

export const cityPool = partition(Object.keys(CITIES));
export const productPool = partition(Object.keys(PRODUCTS));
export const flightPool = partition(Object.keys(FLIGHTS));

/** Currency pairs are held out as pairs ("USD>EUR"): codes are an enum every split must use. */
export const pairKey = (from: string, to: string): string => `${from}>${to}`;
export function drawPair(rng: Rng, split: Split, from?: string): [string, string] {
  const codes = Object.keys(USD_RATES);
  const [a, b] = draw(rng, split, () => {
    const x = from ?? rng.pick(codes);
    let y = rng.pick(codes);
    while (y === x) y = rng.pick(codes);
    return pairKey(x, y);
  }).split(">");
  return [a, b];
}

/** Sentences for word counting: short, each its own value. */
export const SENTENCES = partition([
  "The quick brown fox jumps over the lazy dog",
  "Meet me at the station at noon",
  "Rain is expected later this afternoon",
  "Please bring your laptop to the workshop",
  "Our team shipped the new release on Friday",
  "Fresh bread is sold every morning at the corner shop",
  "She planted tomatoes and basil in the garden",
  "The museum is closed on Mondays",
  "A good night's sleep helps you learn",
  "Turn left after the bridge and keep going straight",
  "The concert starts at eight and ends before midnight",
  "He reads two books every month",
  "Water boils faster with a lid on the pot",
  "Our flight was delayed by the storm",
  "The library has a quiet room upstairs",
  "Keep the receipt in case you need a refund",
  "Cats sleep for most of the day",
  "The meeting moved to Thursday afternoon",
  "Small steps every day add up to big changes",
  "Bring a jacket because the evenings are cold",
  "The recipe needs three eggs and a cup of flour",
  "Trains to the airport leave every ten minutes",
  "The kids built a sandcastle on the beach",
  "Remember to water the plants while I am away",
]);

/** A calendar date in 2026–2027. */
export const drawDate = (rng: Rng, split: Split): string =>
  draw(rng, split, () => formatDate(Date.UTC(2026, 0, 1) + rng.int(0, 729) * 86_400_000));

/** A clock time on the quarter hour, HH:MM. */
export const drawClock = (rng: Rng, split: Split): string =>
  draw(rng, split, () => `${String(rng.int(0, 23)).padStart(2, "0")}:${String(rng.int(0, 3) * 15).padStart(2, "0")}`);

/** A whole number in [lo, hi]. */
export const drawInt = (rng: Rng, split: Split, lo: number, hi: number): number => draw(rng, split, () => rng.int(lo, hi));

/** A price-like amount: whole most of the time, with cents otherwise. */
export const drawMoney = (rng: Rng, split: Split, lo: number, hi: number): number =>
  draw(rng, split, () => (rng.chance(0.7) ? rng.int(lo, hi) : rng.int(lo * 100, hi * 100) / 100));

export const pickIn = (rng: Rng, split: Split, pool: { train: string[]; test: string[] }): string => rng.pick(pool[split]);
