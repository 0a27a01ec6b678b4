import { cacheKey, canonicalJson, TooltuneError } from "@tooltune/core";
import type { InputHash, Lock, LockEntry } from "./lock.js";

/** What planning needs to know about one stage; nodes come in dependency order. */
export interface PlanNode {
  name: string;
  kind: string;
  stageVersion: string;
  /** Parsed params: what the cache key and the lock file hold. */
  params: unknown;
  needs: string[];
}

/** What is on disk now, gathered by the caller (planning itself reads nothing). */
export interface Observed {
  /** `contentHash` of the stage's output if it has a valid manifest, else undefined. */
  outputHash?: string;
  /** Inputs known before any stage runs: file deps, module source, seed. */
  fixedInputs: InputHash[];
}

export interface PlanOptions {
  only?: string[];
  from?: string;
  to?: string;
  force?: boolean;
}

export interface Step {
  stage: string;
  action: "run" | "skip";
  reasons: string[];
  /** Known when no upstream stage runs before this one. */
  key?: string;
  inputs?: InputHash[];
}

/**
 * Decide for every stage whether it runs and why, like DVC's `plan_repro`: a pure function of
 * the graph, the lock file and what is on disk. A stage behind one that runs is planned with the
 * reason "upstream will run"; the executor decides it again with `decide` once that upstream's
 * output hash is known, so an upstream rerun that gives the same bytes stops there.
 */
export function planRun(
  graph: PlanNode[],
  lock: Lock,
  current: Record<string, Observed>,
  options: PlanOptions = {},
): Step[] {
  const selected = selectStages(graph, options);
  const steps = new Map<string, Step>();
  for (const node of graph) {
    const observed = current[node.name] ?? { fixedInputs: [] };
    if (!selected.has(node.name)) {
      steps.set(node.name, { stage: node.name, action: "skip", reasons: [notSelected(options)] });
      continue;
    }
    const running = node.needs.filter((need) => steps.get(need)?.action === "run");
    if (running.length > 0 && !options.force) {
      steps.set(node.name, { stage: node.name, action: "run", reasons: running.map((n) => `upstream '${n}' will run`) });
      continue;
    }
    const inputs = upstreamInputs(node, current, steps);
    steps.set(node.name, decide(node, lock.stages[node.name], inputs ? [...inputs, ...observed.fixedInputs] : undefined, observed.outputHash, options.force ?? false));
  }
  return graph.map((node) => steps.get(node.name)!);
}

/** Upstream output hashes in `needs` order, or undefined when an upstream runs first (force). */
function upstreamInputs(node: PlanNode, current: Record<string, Observed>, steps: Map<string, Step>): InputHash[] | undefined {
  const inputs: InputHash[] = [];
  for (const need of node.needs) {
    if (steps.get(need)?.action === "run") return undefined;
    const hash = current[need]?.outputHash;
    if (hash === undefined) {
      throw new TooltuneError("CONFIG", `stage '${node.name}' needs '${need}', whose output is missing and which is not selected to run`, {
        stage: node.name,
        fix: `run '${need}' too (add it to --only, or widen --from/--to)`,
      });
    }
    inputs.push({ from: `stage:${need}`, hash });
  }
  return inputs;
}

/** One stage's verdict given its actual inputs (undefined = not known yet, an upstream runs). */
export function decide(
  node: PlanNode,
  entry: LockEntry | undefined,
  inputs: InputHash[] | undefined,
  outputHash: string | undefined,
  force: boolean,
): Step {
  const key = inputs && keyOf(node, inputs);
  const base = { stage: node.name, key, inputs };
  if (force) return { ...base, action: "run", reasons: ["forced"] };
  if (!entry) return { ...base, action: "run", reasons: ["never run"] };
  const reasons = key && entry.key !== key ? whyKeyChanged(node, entry, inputs!) : [];
  if (outputHash === undefined) reasons.push("output missing");
  else if (outputHash !== entry.outputHash) reasons.push("output changed since it was written");
  return reasons.length > 0 ? { ...base, action: "run", reasons } : { ...base, action: "skip", reasons: ["up to date"] };
}

export function keyOf(node: PlanNode, inputs: InputHash[]): string {
  return cacheKey({ kind: node.kind, stageVersion: node.stageVersion, params: node.params, inputHashes: inputs.map((i) => i.hash) });
}

/** Which of the key's parts differ from what the lock file recorded, in words. */
function whyKeyChanged(node: PlanNode, entry: LockEntry, inputs: InputHash[]): string[] {
  const reasons: string[] = [];
  if (entry.kind !== node.kind) reasons.push(`stage kind changed: ${entry.kind} → ${node.kind}`);
  if (entry.stageVersion !== node.stageVersion) reasons.push(`stage version changed: ${entry.stageVersion} → ${node.stageVersion}`);
  for (const d of diffValues(entry.params, node.params, "")) reasons.push(`param ${d}`);
  const before = new Map(entry.inputs.map((i) => [i.from, i.hash]));
  for (const input of inputs) {
    const old = before.get(input.from);
    if (old === undefined) reasons.push(`new input ${describe(input.from)}`);
    else if (old !== input.hash) reasons.push(`${describe(input.from)} changed`);
    before.delete(input.from);
  }
  for (const gone of before.keys()) reasons.push(`input ${describe(gone)} removed`);
  if (reasons.length === 0) reasons.push("cache key changed (input order)");
  return reasons;
}

const describe = (from: string) => {
  if (from === "seed") return "seed";
  const [type, ...rest] = from.split(":");
  const what = rest.join(":");
  return type === "stage" ? `input '${what}'` : `${type} '${what}'`;
};

/** Dotted paths whose values differ, as `path: old → new`. Arrays compare whole. */
export function diffValues(before: unknown, after: unknown, path: string): string[] {
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => diffValues(before[k], after[k], path ? `${path}.${k}` : k));
  }
  if (canonicalJson(before) === canonicalJson(after)) return [];
  return [`${path || "(all)"}: ${show(before)} → ${show(after)}`];
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

function show(value: unknown): string {
  if (value === undefined) return "(unset)";
  const text = canonicalJson(value);
  return text.length > 60 ? text.slice(0, 57) + "..." : text;
}

/** Stages that --only / --from / --to leave in; several filters intersect. */
export function selectStages(graph: PlanNode[], options: PlanOptions): Set<string> {
  const names = new Set(graph.map((n) => n.name));
  const named = [...(options.only ?? []).map((n) => ["--only", n]), ["--from", options.from], ["--to", options.to]];
  for (const [flag, name] of named) {
    if (name !== undefined && !names.has(name)) {
      throw new TooltuneError("CONFIG", `there is no stage '${name}' in this pipeline`, {
        where: `${flag} ${name}`,
        fix: `use one of: ${[...names].join(", ")}`,
      });
    }
  }
  let selected = new Set(names);
  if (options.only?.length) selected = new Set(options.only);
  if (options.from) selected = intersect(selected, reachable(graph, options.from, "down"));
  if (options.to) selected = intersect(selected, reachable(graph, options.to, "up"));
  return selected;
}

function reachable(graph: PlanNode[], start: string, direction: "up" | "down"): Set<string> {
  const seen = new Set([start]);
  const order = direction === "down" ? graph : [...graph].reverse();
  for (const node of order) {
    if (direction === "down" && node.needs.some((n) => seen.has(n))) seen.add(node.name);
    if (direction === "up" && seen.has(node.name)) node.needs.forEach((n) => seen.add(n));
  }
  return seen;
}

const intersect = (a: Set<string>, b: Set<string>) => new Set([...a].filter((x) => b.has(x)));

function notSelected(options: PlanOptions): string {
  const flags = [
    options.only?.length ? `--only ${options.only.join(",")}` : "",
    options.from ? `--from ${options.from}` : "",
    options.to ? `--to ${options.to}` : "",
  ].filter(Boolean);
  return `not selected (${flags.join(" ")})`;
}
