import { dirname, relative, resolve } from "node:path";
import { z } from "zod";
import { TooltuneError, type StageDefinition } from "@tooltune/core";
import { makeCmdStage, unresolvedRefs } from "./cmd-stage.js";
import { loadModuleStage } from "./load-module.js";
import { mirrorDir, parseS3Url } from "./s3-workdir.js";
import type { PlanNode } from "./plan.js";
import type { StageRegistry } from "./stages.js";
import { applyOverrides, isObject, parseOverride, parseYaml, readYamlFile, safeKeys, type Locator } from "./yaml-input.js";

/** DESIGN §5. Names become directories, so they are kept to safe characters. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const StageSpecSchema = z.strictObject({
  // A kind or a module path; longer is no path anyone writes, and resolving a 64 kB import path
  // takes node longer than the fuzz bound (issue 15).
  uses: z.string().min(1).max(1024, "a stage kind or a module path of at most 1,024 characters").optional(),
  cmd: z.string().min(1).optional(),
  // `needs:` or `with:` written with nothing after them parse as null: read that as empty.
  needs: z.array(z.string()).nullish().transform((v) => v ?? []),
  with: z.record(z.string(), z.unknown()).nullish().transform((v) => v ?? {}),
  deps: z.array(z.string()).optional(),
  kind: z.string().min(1).optional(),
});
const PipelineSpecSchema = z.strictObject({
  pipeline: z.string().regex(NAME, "use letters, digits, '_', '.', '-'"),
  workdir: z.string().min(1).optional(),
  seed: z.number().int().default(42),
  stages: z.record(z.string().regex(NAME, "stage names become directories: use letters, digits, '_', '.', '-'"), StageSpecSchema),
});
type StageSpec = z.infer<typeof StageSpecSchema>;

export interface PipelineStage extends PlanNode {
  definition: StageDefinition;
  /** `file:line:col` of the stage's name, for messages. */
  where: string;
  /** Absolute path of the module for `uses: ./file`, whose source is part of the cache key. */
  moduleFile?: string;
}

export interface Pipeline {
  name: string;
  file: string;
  /** Absolute. Outputs are `<workdir>/<stage>/`, the lock file `<workdir>/pipeline.lock.json`. */
  workdir: string;
  /** `workdir: s3://…`: the workdir on object storage; `workdir` is then its local mirror. */
  remote?: string;
  seed: number;
  /** In dependency order (YAML order where dependencies allow). */
  stages: PipelineStage[];
}

export interface LoadOptions {
  registry: StageRegistry;
  /** `stage.key=value` overrides of `with:` (values are YAML scalars). */
  sets?: string[];
  /** Relative `workdir`, `deps` and file params resolve against this (default: process.cwd()). */
  cwd?: string;
  /** `--backend`: set as the `backend` param of every stage that has one (so it is in their keys). */
  backend?: string;
}

/** Read, parse and check a pipeline file: every error names file:line:col and the stage. */
export async function loadPipeline(file: string, options: LoadOptions): Promise<Pipeline> {
  const cwd = options.cwd ?? process.cwd();
  const path = resolve(cwd, file);
  const text = await readYamlFile(path, file, "pipeline file");
  return parsePipeline(text, relative(cwd, path) || file, { ...options, cwd, baseDir: dirname(path) });
}

export async function parsePipeline(text: string, file: string, options: LoadOptions & { baseDir: string }): Promise<Pipeline> {
  const { value: raw, locator: locate } = parseYaml(text, file);
  const setAt = applySets(raw, options.sets ?? []);
  const whereOf = (path: PropertyKey[], key?: string) => setAt(key === undefined ? path : [...path, key]) ?? locate.where(path, key);

  const parsed = PipelineSpecSchema.safeParse(raw);
  if (!parsed.success) throw zodError(parsed.error.issues[0], [], whereOf, "pipeline file");
  const spec = parsed.data;

  if (Object.keys(spec.stages).length === 0) throw new TooltuneError("CONFIG", "the pipeline has no stages", { where: whereOf(["stages"]), fix: "add stages under 'stages:'" });
  checkNeeds(spec.stages, whereOf);
  const order = dependencyOrder(spec.stages, whereOf);
  const stages: PipelineStage[] = [];
  for (const name of order) {
    stages.push(await resolveStage(name, spec.stages[name], { ...options, whereOf, locate }));
  }
  return {
    name: spec.pipeline,
    file,
    ...workdirOf(spec.workdir ?? `runs/${spec.pipeline}`, options.cwd ?? process.cwd(), whereOf),
    seed: spec.seed,
    stages,
  };
}

type WhereOf = (path: PropertyKey[], key?: string) => string;

function workdirOf(workdir: string, cwd: string, whereOf: WhereOf): { workdir: string; remote?: string } {
  if (!workdir.startsWith("s3://")) return { workdir: resolve(cwd, workdir) };
  const at = parseS3Url(workdir);
  if (!at) throw new TooltuneError("CONFIG", `workdir '${workdir}' is not an s3://bucket/prefix URL`, { where: whereOf(["workdir"]), fix: "write workdir: s3://my-bucket/runs/name (a bucket name: lowercase letters, digits, '.', '-')" });
  return { workdir: mirrorDir(cwd, at), remote: workdir };
}

function checkNeeds(stages: Record<string, StageSpec>, whereOf: WhereOf): void {
  for (const [name, spec] of Object.entries(stages)) {
    spec.needs.forEach((need, i) => {
      if (!Object.hasOwn(stages, need)) {
        throw new TooltuneError("CONFIG", `needs '${need}', which is not a stage of this pipeline`, {
          where: whereOf(["stages", name, "needs", i]),
          stage: name,
          fix: `use one of: ${Object.keys(stages).filter((s) => s !== name).join(", ") || "(no other stages)"}`,
        });
      }
    });
  }
}

/** Depth-first order that keeps YAML order where it can; a cycle is reported at the `needs` entry closing it. */
function dependencyOrder(stages: Record<string, StageSpec>, whereOf: WhereOf): string[] {
  const done = new Set<string>();
  const onPath: string[] = [];
  const order: string[] = [];
  const visit = (name: string) => {
    if (done.has(name)) return;
    onPath.push(name);
    stages[name].needs.forEach((need, i) => {
      const loopStart = onPath.indexOf(need);
      if (loopStart >= 0) {
        const cycle = [...onPath.slice(loopStart), need].join(" → ");
        throw new TooltuneError("CONFIG", `dependency cycle: ${cycle}`, {
          where: whereOf(["stages", name, "needs", i]),
          stage: name,
          fix: "remove one of these needs: stages run in dependency order, so a cycle can never start",
        });
      }
      visit(need);
    });
    onPath.pop();
    done.add(name);
    order.push(name);
  };
  Object.keys(stages).forEach(visit);
  return order;
}

interface ResolveContext extends LoadOptions {
  baseDir: string;
  whereOf: WhereOf;
  locate: Locator;
}

async function resolveStage(name: string, spec: StageSpec, rc: ResolveContext): Promise<PipelineStage> {
  const at = (...path: PropertyKey[]) => rc.whereOf(["stages", name, ...path]);
  const fail = (message: string, where: string, fix: string) => new TooltuneError("CONFIG", message, { where, stage: name, fix });
  if ((spec.uses === undefined) === (spec.cmd === undefined)) {
    throw fail("a stage needs exactly one of 'uses:' or 'cmd:'", at(), "say which stage kind it is (uses: ingest) or which command runs it (cmd: …)");
  }
  const base = { name, needs: spec.needs, where: rc.locate.where(["stages"], name) };
  if (spec.cmd !== undefined) {
    const params = { cmd: spec.cmd, kind: spec.kind ?? "raw", deps: spec.deps ?? [], with: spec.with };
    const bad = unresolvedRefs(spec.cmd, spec.needs, spec.with);
    if (bad.length) throw fail(`the command refers to ${bad.join(", ")}`, at("cmd"), "add the stage to needs or the key to with:, or fix the name");
    const definition = makeCmdStage(rc.cwd ?? process.cwd());
    return { ...base, kind: definition.kind, stageVersion: definition.version, params, definition };
  }
  for (const key of ["deps", "kind"] as const) {
    if (spec[key] !== undefined) throw fail(`'${key}:' is only for cmd: stages`, rc.locate.where(["stages", name], key), `remove it: a '${spec.uses}' stage declares its own`);
  }
  const { definition, moduleFile } = await findStage(spec.uses!, rc, () => at("uses"), fail);
  const input = rc.backend !== undefined && acceptsKey(definition, spec.with, "backend") ? { ...spec.with, backend: rc.backend } : spec.with;
  const params = validateParams(definition, input, (path, key) => rc.whereOf(["stages", name, "with", ...path], key), name);
  return { ...base, kind: definition.kind, stageVersion: definition.version, params, definition, moduleFile };
}

/** Whether the stage's params have `key` (it shows up, defaulted, in what its schema parses). */
export function acceptsKey(definition: StageDefinition, input: unknown, key: string): boolean {
  const probe = definition.params.safeParse(input);
  return probe.success && isObject(probe.data) && Object.hasOwn(probe.data, key);
}

const looksLikePath = (uses: string) => /^[./]/.test(uses) || /\.(c|m)?(j|t)s$/.test(uses);

async function findStage(
  uses: string,
  rc: ResolveContext,
  where: () => string,
  fail: (m: string, w: string, f: string) => TooltuneError,
): Promise<{ definition: StageDefinition; moduleFile?: string }> {
  if (!looksLikePath(uses)) {
    const definition = await rc.registry.load(uses);
    if (definition) return { definition };
    const known = rc.registry.kinds.join(", ") || "(none registered yet)";
    throw fail(`unknown stage kind '${uses}'`, where(), `use a built-in kind (${known}) or a path to a stage module, like ./my-stage.ts`);
  }
  const moduleFile = resolve(rc.baseDir, uses);
  const loaded = await loadModuleStage(moduleFile);
  if (typeof loaded === "string") throw fail(loaded, where(), "point uses: at a .js/.mjs/.ts file (relative to the pipeline file) that exports a stage made with defineStage");
  return { definition: loaded, moduleFile };
}

/**
 * Parse `with:` with the stage's zod schema. Keys the schema does not know are errors even when
 * the schema is not strict: a key that vanishes between input and output was ignored (a typo).
 */
export function validateParams(definition: StageDefinition, input: unknown, whereOf: WhereOf, stage: string): unknown {
  const parsed = definition.params.safeParse(input);
  if (!parsed.success) throw zodError(parsed.error.issues[0], [], whereOf, `params of '${definition.kind}'`, stage);
  const unknown = droppedKey(input, parsed.data, []);
  if (unknown) {
    const [path, key, known] = unknown;
    throw new TooltuneError("CONFIG", `unknown param '${[...path, key].join(".")}' for stage kind '${definition.kind}'`, {
      where: whereOf(path, key),
      stage,
      fix: `known params${path.length ? ` of '${path.join(".")}'` : ""}: ${known.join(", ") || "(none)"}`,
    });
  }
  return parsed.data;
}

function droppedKey(input: unknown, output: unknown, path: string[]): [string[], string, string[]] | undefined {
  if (!isObject(input) || !isObject(output)) return undefined;
  for (const key of Object.keys(input)) {
    if (!Object.hasOwn(output, key)) return [path, key, Object.keys(output)];
    const inner = droppedKey(input[key], output[key], [...path, key]);
    if (inner) return inner;
  }
  return undefined;
}


function zodError(issue: z.core.$ZodIssue | undefined, prefix: PropertyKey[], whereOf: WhereOf, what: string, stage?: string): TooltuneError {
  const path = [...prefix, ...(issue?.path ?? [])];
  const stageName = stage ?? (path[0] === "stages" && typeof path[1] === "string" ? path[1] : undefined);
  if (issue?.code === "unrecognized_keys") {
    const key = issue.keys[0];
    return new TooltuneError("CONFIG", `unknown key '${key}' in ${path.length ? `'${path.join(".")}'` : what}`, {
      where: whereOf(path, key),
      stage: stageName,
      fix: "remove it or fix its spelling (see the pipeline reference in the tooltune README)",
    });
  }
  const field = path.length ? `'${path.join(".")}'` : what;
  return new TooltuneError("CONFIG", `${field}: ${issue?.message ?? "invalid"}`, {
    where: whereOf(path),
    stage: stageName,
    fix: "change the value to what is expected",
  });
}

/** Apply `--set stage.key=value` to the parsed YAML (into the stage's `with:`); says which --set wrote a path. */
function applySets(raw: unknown, sets: string[]): (path: readonly PropertyKey[]) => string | undefined {
  const stages = isObject(raw) && isObject(raw.stages) ? raw.stages : {};
  const writes = sets.map((text) => {
    const { dotted, value, where } = parseOverride("--set", text, "stage.key=value", "tokens.max_length=1024");
    const [, stage, rest] = /^([^.]+)\.(.+)$/s.exec(dotted) ?? [];
    if (rest === undefined) throw new TooltuneError("CONFIG", "expected stage.key=value", { where, fix: "write it like --set tokens.max_length=1024" });
    if (!Object.hasOwn(stages, stage) || !isObject(stages[stage])) {
      throw new TooltuneError("CONFIG", `there is no stage '${stage}'`, { where, fix: `use one of: ${Object.keys(stages).join(", ")}` });
    }
    return { path: ["stages", stage, "with", ...safeKeys(rest, where)], value, where };
  });
  return applyOverrides(isObject(raw) ? raw : {}, writes);
}
