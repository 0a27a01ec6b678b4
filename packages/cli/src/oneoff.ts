import { existsSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { cacheKey, MANIFEST_FILE, readManifest, TooltuneError, type Logger, type Manifest, type StageDefinition, type StageInput } from "@tooltune/core";
import { executeStage } from "./execute-stage.js";
import { validateParams } from "./pipeline.js";
import { applyOverrides, isObject, parseOverride, parseYaml, readYamlFile, safeKeys } from "./yaml-input.js";

export interface OneOffOptions {
  inputs: string[];
  output: string;
  /** `key=value` (dotted keys, YAML scalar values), applied over the params file. */
  params: string[];
  paramsFile?: string;
  seed: number;
  strict: boolean;
  signal: AbortSignal;
  log: Logger;
  cwd?: string;
}

/**
 * `tooltune <kind> --input … --output …`: one stage outside any pipeline, through the same
 * atomic write and manifest path as a pipeline run; no lock file, so it always runs.
 */
export async function runOneStage(definition: StageDefinition, options: OneOffOptions): Promise<Manifest> {
  const cwd = options.cwd ?? process.cwd();
  const { inputs, rawFiles } = await readInputs(definition.kind, options.inputs, cwd);
  const params = await loadParams(definition, options, cwd, rawFiles);
  checkReads(definition.kind, inputs, params);
  const finalDir = resolve(cwd, options.output);
  const inputHashes = inputs.map((i) => i.manifest.contentHash);
  const key = cacheKey({ kind: definition.kind, stageVersion: definition.version, params, inputHashes: [...inputHashes, `seed:${options.seed}`] });
  const started = Date.now();
  const manifest = await executeStage({
    name: definition.kind, definition, params, inputs, finalDir,
    stateDir: join(dirname(finalDir), ".state", basename(finalDir), key.slice(0, 16)),
    seed: options.seed, strict: options.strict, signal: options.signal, log: options.log,
    provenance: { stage: definition.kind, stageVersion: definition.version, params, inputs: inputs.map((i) => ({ path: relative(cwd, i.path), contentHash: i.manifest.contentHash })) },
    directoryKind: definition.kind,
  });
  options.log.info(`✓ ${definition.kind} ${((Date.now() - started) / 1000).toFixed(1)}s: ${manifest.kind}, ${manifest.rows} rows${manifest.rejected ? `, ${manifest.rejected} rejected` : ""} → ${options.output}`);
  return manifest;
}

interface Need {
  kinds: string[];
  what: string;
  /** The command that makes one into `out`, from `from` (what the person gave, if a raw file). */
  make: (from?: string) => string;
  out: string;
}

const needOf = (kinds: string[], what: string, stage: string, from: string, out: string): Need => ({ kinds, what, out, make: (f = from) => `tooltune ${stage} --input ${f} --output ${out}` });
const conversations = needOf(["conversations"], "a conversations dataset", "ingest", "data.jsonl", "convs");
const formatted = needOf(["formatted"], "a formatted dataset", "format", "convs", "text");
const tokens = needOf(["tokens"], "a tokens dataset", "tokenize", "text", "tokens");
const model = needOf(["adapter", "model"], "an adapter or model directory", "train", "tokens", "adapter");

/**
 * What the built-in stages read, for one-off runs only. A stage's own errors speak of a
 * pipeline's `needs`, which a person at the command line does not have: this says what to type
 * instead. `raw` is the param that takes raw files: a file given to --input goes there.
 */
const READS: Record<string, { raw?: string; needs: Need[]; hint?: string }> = {
  synth: { needs: [] },
  ingest: { raw: "path", needs: [] },
  format: { needs: [conversations] },
  tokenize: { needs: [formatted] },
  copy_drills: { needs: [tokens] },
  train: { needs: [tokens], hint: "a base model (a Hugging Face checkpoint directory) goes in --param base=DIR" },
  eval: { needs: [conversations, model] },
};
const rawParamOf = (kind: string) => (Object.hasOwn(READS, kind) ? READS[kind].raw : undefined);

/** Each --input: a stage output directory (it has a manifest), or a raw file where the stage reads raw files. */
async function readInputs(kind: string, given: string[], cwd: string): Promise<{ inputs: StageInput[]; rawFiles: string[] }> {
  const inputs: StageInput[] = [];
  const rawFiles: string[] = [];
  for (const input of given) {
    const path = resolve(cwd, input);
    const info = statSync(path, { throwIfNoEntry: false });
    if (!info) throw new TooltuneError("INPUT", `'${input}' does not exist`, { where: `--input ${input}`, fix: "check the path (relative to the current directory)" });
    if (info.isFile() && rawParamOf(kind)) rawFiles.push(path);
    else if (info.isDirectory() && existsSync(join(path, MANIFEST_FILE))) inputs.push({ name: basename(path), path, manifest: await readManifest(path) });
    else throw notAStageOutput(kind, input, info.isFile());
  }
  return { inputs, rawFiles };
}

function notAStageOutput(kind: string, input: string, isFile: boolean): TooltuneError {
  const reads = Object.hasOwn(READS, kind) ? READS[kind] : undefined;
  const what = isFile ? "a file" : `a directory without ${MANIFEST_FILE}`;
  let fix = `--input takes stage output directories (they have a ${MANIFEST_FILE}); \`tooltune ${kind} --help\` lists the params that take files`;
  if (reads?.raw) fix = `give its files: --input ${input}/*.jsonl (or --param ${reads.raw}='${input}/*.jsonl')`;
  else if (reads && !reads.needs.length) fix = `'${kind}' reads no input: drop --input (\`tooltune ${kind} --help\` lists its params)`;
  else if (reads) {
    const first = reads.needs[0];
    const rest = reads.needs.slice(1).map((n) => ` --input ${n.out}`).join("");
    fix = `'${kind}' reads ${reads.needs.map((n) => n.what).join(" and ")}: make ${reads.needs.length > 1 ? "the first" : "one"} with \`${first.make(isFile ? input : undefined)}\`, then \`tooltune ${kind} --input ${first.out}${rest} --output …\``;
    if (reads.hint) fix += `; ${reads.hint}`;
  }
  return new TooltuneError("INPUT", `'${input}' is ${what}, not a stage output`, { where: `--input ${input}`, fix });
}

/** The inputs a built-in stage needs are there (checked before it starts, with what to type if not). */
function checkReads(kind: string, inputs: StageInput[], params: unknown): void {
  const reads = Object.hasOwn(READS, kind) ? READS[kind] : undefined;
  if (!reads) return;
  if (reads.raw && !inputs.length && (params as Record<string, unknown>)[reads.raw] === undefined) {
    throw new TooltuneError("CONFIG", `'${kind}' has nothing to read`, { fix: `give raw files (.json, .jsonl, .parquet): \`tooltune ${kind} --input data.jsonl --output convs\`, or a stage output directory` });
  }
  for (const need of reads.needs) {
    if (inputs.some((i) => need.kinds.includes(i.manifest.kind))) continue;
    const got = inputs.map((i) => `${i.manifest.kind} '${i.name}'`).join(", ");
    throw new TooltuneError("CONFIG", `'${kind}' needs ${need.what} as --input${got ? ` (got ${got})` : ""}`, {
      fix: `make one with \`${need.make()}\`, then add --input ${need.out}`,
    });
  }
}

/** The params file, then each --param over it; errors name the flag or the file:line:col at fault. */
async function loadParams(definition: StageDefinition, options: OneOffOptions, cwd: string, rawFiles: string[]): Promise<unknown> {
  let raw: Record<string, unknown> = {};
  let locate = (path: readonly PropertyKey[], key?: string) => `--param ${[...path, key].filter((p) => p !== undefined).join(".")}`;
  if (options.paramsFile) {
    const file = options.paramsFile;
    const { value, locator } = parseYaml(await readYamlFile(resolve(cwd, file), file, "params file"), file);
    raw = isObject(value) ? value : {};
    locate = (path, key) => locator.where(path, key);
  }
  const writes = options.params.map((text) => {
    const { dotted, value, where } = parseOverride("--param", text, "key=value", "max_length=1024");
    // An error in the value names the flag by its key: `--param lora.r`.
    return { path: safeKeys(dotted, where), value, where: `--param ${dotted}` };
  });
  const writtenBy = applyOverrides(raw, writes);
  const param = rawParamOf(definition.kind);
  if (param && rawFiles.length) {
    // Files given to --input join those the params name (ingest reads both).
    const named = raw[param] === undefined ? [] : Array.isArray(raw[param]) ? (raw[param] as unknown[]) : [raw[param]];
    const all = [...named, ...rawFiles];
    raw[param] = all.length === 1 ? all[0] : all;
  }
  const whereOf = (path: readonly PropertyKey[], key?: string) => writtenBy(key === undefined ? path : [...path, key]) ?? locate(path, key);
  return validateParams(definition, raw, whereOf, definition.kind);
}
