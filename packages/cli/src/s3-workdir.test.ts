// A pipeline whose workdir is on S3-compatible storage: a real S3 server (s3rver, in this process,
// on localhost) and the AWS SDK, no mock. Two working directories stand for two machines.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryLogger, readManifest } from "@tooltune/core";
import { runPipeline } from "./run.js";
import { parseS3Url } from "./s3-workdir.js";
import { builtinRegistry } from "./stages.js";

const root = mkdtempSync(join(tmpdir(), "tooltune-s3-"));
let server: S3rver;
let client: S3Client;
const saved = { ...process.env };

beforeAll(async () => {
  server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory: join(root, "server"), configureBuckets: [{ name: "tt-runs", configs: [] }] });
  const { port } = (await server.run()) as { port: number };
  Object.assign(process.env, { AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`, AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER", AWS_REGION: "us-east-1" });
  client = new S3Client({ endpoint: process.env.AWS_ENDPOINT_URL, forcePathStyle: true, region: "us-east-1" });
});
afterAll(async () => {
  process.env = saved;
  client?.destroy();
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

const yaml = (template: string) => `pipeline: s3demo
workdir: s3://tt-runs/teams/a/s3demo
stages:
  raw: { uses: synth, with: { conversations: 12 } }
  convs: { uses: ingest, needs: [raw] }
  text: { uses: format, needs: [convs], with: { template: ${template} } }
`;

async function runIn(machine: string, template = "chatml") {
  const cwd = join(root, machine);
  rmSync(cwd, { recursive: true, force: true });
  mkdirSync(cwd, { recursive: true });
  writeFileSync(join(cwd, "p.yaml"), yaml(template));
  const r = await runPipeline("p.yaml", { cwd, registry: builtinRegistry, log: createMemoryLogger() });
  return { ...r, hash: async (stage: string) => (await readManifest(join(r.pipeline.workdir, stage))).contentHash };
}

describe("workdir: s3://", () => {
  it("runs end to end with every output and the lock on S3, and another machine's run finds them all done", async () => {
    const a = await runIn("machine-a");
    expect(a.ran).toEqual(["raw", "convs", "text"]);
    const listed = await client.send(new ListObjectsV2Command({ Bucket: "tt-runs", Prefix: "teams/a/s3demo/" }));
    const keys = (listed.Contents ?? []).map((o) => o.Key!);
    for (const k of ["pipeline.lock.json", "raw/_manifest.json", "convs/part-00000.parquet", "text/_manifest.json"]) expect(keys).toContain(`teams/a/s3demo/${k}`);

    // machine b: an empty working directory, the same bucket
    const b = await runIn("machine-b");
    expect(b.ran).toEqual([]);
    for (const s of ["raw", "convs", "text"]) expect(await b.hash(s), s).toBe(await a.hash(s));

    // a changed param reruns its stage there, and a third machine sees the new output
    const c = await runIn("machine-b", "llama3");
    expect(c.ran).toEqual(["text"]);
    const d = await runIn("machine-c", "llama3");
    expect(d.ran).toEqual([]);
    expect(await d.hash("text")).toBe(await c.hash("text"));
    expect(await d.hash("text")).not.toBe(await a.hash("text"));
  }, 120_000);

  it("an s3 URL that names no bucket is a config error at the workdir line", async () => {
    expect(parseS3Url("s3://tt-runs/x/y")).toEqual({ bucket: "tt-runs", prefix: "x/y" });
    expect(parseS3Url("s3://Bad_Bucket/x")).toBeUndefined();
    const cwd = join(root, "bad");
      mkdirSync(cwd, { recursive: true });
    writeFileSync(join(cwd, "p.yaml"), "pipeline: p\nworkdir: s3://Bad_Bucket/x\nstages:\n  raw: { uses: synth }\n");
    await expect(runPipeline("p.yaml", { cwd, registry: builtinRegistry, log: createMemoryLogger() })).rejects.toMatchObject({ code: "CONFIG", where: "p.yaml:2:10" });
  });
});
