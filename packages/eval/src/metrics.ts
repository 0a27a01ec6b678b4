/**
 * Metrics per category and overall, and BFCL's summary scores (CHECKER.md "Aggregation").
 * A rate is null when no row could count towards it (e.g. irrelevance accuracy without no-call items).
 */
import type { ParseStatus } from "./decode.js";

/** What metrics need from one judged output. */
export interface ScoredRow {
  category: string;
  parse_status: ParseStatus;
  name_ok: boolean;
  args_ok: boolean;
  pass: boolean;
  /** The item expects at least one call (false: no call fits). */
  expects_call: boolean;
  /** The output had a `<think>` block. */
  think: boolean;
}

export interface Metrics {
  rows: number;
  /** pass / rows: BFCL's per-category accuracy. */
  accuracy: number;
  /** Outputs that are not malformed calls (valid calls or clean abstentions) / rows. */
  parse_rate: number;
  /** Among items expecting calls: the called names are the expected ones. */
  name_accuracy: number | null;
  /** Among items expecting calls whose names were right: every argument right too. */
  argument_accuracy: number | null;
  /** Among items expecting calls: the whole answer passes (names, arguments, count). */
  full_call_accuracy: number | null;
  /** Among items where no call fits: the output made no call. */
  irrelevance_accuracy: number | null;
  /** Outputs with a `<think>…</think>` block / rows. */
  think_rate: number;
  /** No-call items whose output was a malformed call: BFCL counts them as abstentions. */
  malformed_abstentions: number;
}

export interface BfclSummary {
  /** Unweighted mean of simple, multiple, parallel, parallel_multiple (those present). */
  non_live: number | null;
  /** Row-weighted mean of the live_* call categories present. */
  live: number | null;
  /** Unweighted mean of irrelevance and live_irrelevance (those present). */
  irrelevance: number | null;
}

export interface MetricsReport {
  overall: Metrics;
  by_category: Record<string, Metrics>;
  /** Present when any row is from a BFCL category. */
  bfcl?: BfclSummary;
}

const ratio = (n: number, d: number): number | null => (d === 0 ? null : n / d);
const count = <T>(xs: T[], f: (x: T) => boolean) => xs.filter(f).length;

export function metricsOf(rows: ScoredRow[]): Metrics {
  const calls = rows.filter((r) => r.expects_call);
  const none = rows.filter((r) => !r.expects_call);
  const named = calls.filter((r) => r.name_ok);
  return {
    rows: rows.length,
    accuracy: ratio(count(rows, (r) => r.pass), rows.length) ?? 0,
    parse_rate: ratio(count(rows, (r) => r.parse_status !== "malformed_call"), rows.length) ?? 0,
    name_accuracy: ratio(named.length, calls.length),
    argument_accuracy: ratio(count(named, (r) => r.args_ok), named.length),
    full_call_accuracy: ratio(count(calls, (r) => r.pass), calls.length),
    irrelevance_accuracy: ratio(count(none, (r) => r.pass), none.length),
    think_rate: ratio(count(rows, (r) => r.think), rows.length) ?? 0,
    malformed_abstentions: count(none, (r) => r.parse_status === "malformed_call"),
  };
}

// CHECKER.md "Aggregation"; v4 calls BFCL's old `simple` category `simple_python`.
const NON_LIVE = ["simple_python", "simple", "multiple", "parallel", "parallel_multiple"];
const LIVE = ["live_simple", "live_multiple", "live_parallel", "live_parallel_multiple"];
const IRRELEVANCE = ["irrelevance", "live_irrelevance"];

export function computeMetrics(rows: ScoredRow[], opts: { bfcl?: boolean } = {}): MetricsReport {
  const groups = new Map<string, ScoredRow[]>();
  for (const r of rows) groups.set(r.category, [...(groups.get(r.category) ?? []), r]);
  const by_category = Object.fromEntries([...groups].sort(([a], [b]) => a.localeCompare(b)).map(([c, rs]) => [c, metricsOf(rs)]));
  const report: MetricsReport = { overall: metricsOf(rows), by_category };
  if (opts.bfcl) report.bfcl = bfclSummary(by_category);
  return report;
}

export function bfclSummary(by: Record<string, Metrics>): BfclSummary {
  const present = (names: string[]) => names.filter((n) => by[n]).map((n) => by[n]);
  const mean = (ms: Metrics[]) => ratio(ms.reduce((s, m) => s + m.accuracy, 0), ms.length);
  const live = present(LIVE);
  return {
    non_live: mean(present(NON_LIVE)),
    live: ratio(live.reduce((s, m) => s + m.accuracy * m.rows, 0), live.reduce((s, m) => s + m.rows, 0)),
    irrelevance: mean(present(IRRELEVANCE)),
  };
}

export const isBfclCategory = (c: string): boolean => [...NON_LIVE, ...LIVE, ...IRRELEVANCE].includes(c) && c !== "simple";
