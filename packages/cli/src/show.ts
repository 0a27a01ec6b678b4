import { resolve } from "node:path";
import { openDataset, readManifest, REJECTS_FILE } from "@tooltune/core";

/** `tooltune show`: what a person needs to trust a dataset — where it came from, its shape, its rejects, a few rows. */
export async function showDataset(path: string, head: number, cwd = process.cwd()): Promise<string[]> {
  const dir = resolve(cwd, path);
  const manifest = await readManifest(dir);
  const lines = [
    `${path}: ${manifest.kind} written by ${manifest.stage} v${manifest.stageVersion} at ${manifest.createdAt}`,
    `rows: ${manifest.rows}   rejected: ${manifest.rejected}   contentHash: ${manifest.contentHash.slice(0, 16)}…`,
    `params: ${preview(manifest.params, 200)}`,
    ...manifest.inputs.map((i) => `input: ${i.path} (${i.contentHash.slice(0, 16)}…)`),
  ];
  if (manifest.stats) lines.push(`stats: ${preview(manifest.stats, 200)}`);
  const isDataset = manifest.files.some((f) => f.name !== REJECTS_FILE && f.name.endsWith(".parquet"));
  if (!isDataset) {
    lines.push(`files (${manifest.files.length}):`, ...manifest.files.map((f) => `  ${f.name}  ${f.bytes} bytes`));
    return lines;
  }
  const dataset = await openDataset(dir);
  lines.push("schema:", ...dataset.schema.fields.map((f) => `  ${f.name}: ${f.type}${f.nullable ? "" : " (not null)"}`));
  const rejects = await dataset.rejects();
  if (rejects.length > 0) {
    lines.push(`rejects (first ${Math.min(head, rejects.length)} of ${rejects.length}):`);
    for (const r of rejects.slice(0, head)) lines.push(`  ${r.source}: ${r.reason}`);
  }
  lines.push(`first ${Math.min(head, manifest.rows)} rows:`);
  let i = 0;
  for await (const row of dataset.rows()) {
    if (i >= head) break;
    lines.push(`  #${i++}`);
    for (const [key, value] of Object.entries(row)) lines.push(`    ${key}: ${preview(value, 120)}`);
  }
  return lines;
}

/** One line per value: long strings cut, typed arrays and lists shortened, bigints exact. */
export function preview(value: unknown, max = 120): string {
  if (typeof value === "string") {
    const cut = value.length > max ? `${value.slice(0, max)}… (+${value.length - max} chars)` : value;
    return JSON.stringify(cut);
  }
  if (typeof value === "bigint") return value.toString();
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const items = Array.from(value as unknown as ArrayLike<number | bigint>);
    return `${value.constructor.name}(${items.length}) ${list(items.map((v) => String(v)), 12)}`;
  }
  if (Array.isArray(value)) return list(value.map((v) => preview(v, 60)), 5);
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).map(([k, v]) => `${k}: ${preview(v, 60)}`);
    const text = `{${entries.join(", ")}}`;
    return text.length > max * 2 ? text.slice(0, max * 2) + "…}" : text;
  }
  return String(value);
}

const list = (items: string[], keep: number) =>
  `[${items.slice(0, keep).join(", ")}${items.length > keep ? `, … +${items.length - keep} more` : ""}]`;
