import { readFile } from "node:fs/promises";
import { basename, dirname, join, relative, resolve } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { cacheKey, readManifest, TooltuneError, type Logger, type Manifest, type StageDefinition, type StageInput } from "@tooltune/core";
import { executeStage } from "./execute-stage.js";
import { safeKeys, setValue, validateParams } from "./pipeline.js";
import { yamlLocator } from "./yaml-where.js";

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
  const params = await loadParams(definition, options, cwd);
  const inputs: StageInput[] = [];
  for (const input of options.inputs) {
    const path = resolve(cwd, input);
    inputs.push({ name: basename(path), path, manifest: await readManifest(path) });
  }
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

async function loadParams(definition: StageDefinition, options: OneOffOptions, cwd: string): Promise<unknown> {
  let raw: Record<string, unknown> = {};
  let locate = (path: PropertyKey[], key?: string): string => `--param ${[...path, key].filter((p) => p !== undefined).join(".")}`;
  if (options.paramsFile) {
    const file = options.paramsFile;
    const text = await readFile(resolve(cwd, file), "utf8").catch((cause) => {
      throw new TooltuneError("INPUT", `cannot read params file: ${(cause as Error).message}`, { where: file, cause });
    });
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines });
    const err = doc.errors[0];
    if (err) throw new TooltuneError("CONFIG", `invalid YAML: ${err.message.split("\n")[0]}`, { where: `${file}:${err.linePos?.[0].line}:${err.linePos?.[0].col}` });
    raw = (doc.toJS() ?? {}) as Record<string, unknown>;
    const locator = yamlLocator(file, doc, lines);
    locate = (path, key) => locator.where(path, key);
  }
  const fromFlags = new Set<string>();
  for (const text of options.params) {
    const match = /^([^=]+)=(.*)$/s.exec(text);
    if (!match) throw new TooltuneError("CONFIG", "expected key=value", { where: `--param ${text}`, fix: "write it like --param max_length=1024" });
    const keys = safeKeys(match[1], `--param ${text}`);
    let target = raw;
    for (const k of keys.slice(0, -1)) target = (typeof target[k] === "object" && target[k] !== null ? target[k] : (target[k] = {})) as Record<string, unknown>;
    target[keys.at(-1)!] = setValue(match[2]);
    fromFlags.add(match[1]);
  }
  const whereOf = (path: PropertyKey[], key?: string) => {
    const dotted = [...path, key].filter((p) => p !== undefined).join(".");
    const flag = [...fromFlags].find((f) => dotted === f || dotted.startsWith(f + "."));
    return flag ? `--param ${flag}` : locate(path, key);
  };
  return validateParams(definition, raw, whereOf, definition.kind);
}
