import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { pipeline as pipe } from "node:stream/promises";
import type { Readable } from "node:stream";
import { listFiles, MANIFEST_FILE, manifestSchema, readManifest, TooltuneError, type Manifest } from "@tooltune/core";
import type { S3Client } from "@aws-sdk/client-s3";

/**
 * A pipeline workdir on S3-compatible object storage (`workdir: s3://bucket/prefix`). Stages run
 * on local files, in a mirror of the workdir (`.tooltune/s3/<bucket>/<prefix>` under the current
 * directory): before planning, every stage output on S3 whose contentHash the mirror lacks is
 * downloaded, and the lock file with it; after a stage, its output is uploaded file by file with
 * `_manifest.json` last, so an output on S3 looks complete only once it is (the same rule as on
 * disk), then the lock file. Any machine with the bucket then sees the same cache.
 * The client is the AWS SDK's: credentials and region from the usual AWS_* variables, a custom
 * endpoint (MinIO, Ceph, s3rver…) from AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL, path-style then.
 */
export interface S3Location {
  bucket: string;
  prefix: string;
}

export function parseS3Url(url: string): S3Location | undefined {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*?))?\/?$/.exec(url);
  if (!m) return undefined;
  return { bucket: m[1], prefix: m[2] ?? "" };
}

/** Where the local mirror of an S3 workdir lives. */
export const mirrorDir = (cwd: string, at: S3Location) => join(cwd, ".tooltune", "s3", at.bucket, at.prefix);

export class S3Workdir {
  private constructor(private readonly client: S3Client, private readonly sdk: typeof import("@aws-sdk/client-s3"), readonly at: S3Location, readonly local: string) {}

  static async open(url: string, local: string): Promise<S3Workdir> {
    const at = parseS3Url(url);
    if (!at) throw new TooltuneError("CONFIG", `'${url}' is not an s3://bucket/prefix URL`, { fix: "write workdir: s3://my-bucket/runs/name" });
    const sdk = await import("@aws-sdk/client-s3");
    const endpoint = process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
    const client = new sdk.S3Client({
      region: process.env.AWS_REGION ?? "us-east-1",
      ...(endpoint && { endpoint, forcePathStyle: true }),
      // Checksums only where S3 requires them: the SDK's default streams uploads aws-chunked with a
      // trailing checksum, which S3-compatible servers (s3rver, older MinIO, Ceph) store as is.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
    return new S3Workdir(client, sdk, at, local);
  }

  private key(...parts: string[]): string {
    return [this.at.prefix, ...parts].filter(Boolean).join("/");
  }

  /** Bring the lock file and every stage output the mirror does not hold (by contentHash) down from S3. */
  async pull(stages: string[], lockFile: string): Promise<string[]> {
    const fetched: string[] = [];
    await this.download(this.key(lockFile), join(this.local, lockFile), true);
    for (const stage of stages) {
      const remote = await this.remoteManifest(stage);
      const dir = join(this.local, stage);
      if (!remote) continue;
      const local = await readManifest(dir).catch(() => undefined);
      if (local?.contentHash === remote.contentHash) continue;
      // Into a sibling, renamed when whole: a mirror never holds half an output under its name.
      const tmp = `${dir}.pull-${process.pid}`;
      await rm(tmp, { recursive: true, force: true });
      for (const f of remote.files) await this.download(this.key(stage, f.name), join(tmp, f.name));
      await this.download(this.key(stage, MANIFEST_FILE), join(tmp, MANIFEST_FILE));
      await rm(dir, { recursive: true, force: true });
      await rename(tmp, dir);
      fetched.push(stage);
    }
    return fetched;
  }

  /** Upload one finished stage output, every file first and its manifest last. */
  async pushStage(stage: string): Promise<void> {
    const dir = join(this.local, stage);
    for (const name of await listFiles(dir)) await this.upload(join(dir, name), this.key(stage, name));
    await this.upload(join(dir, MANIFEST_FILE), this.key(stage, MANIFEST_FILE));
  }

  async pushFile(name: string): Promise<void> {
    await this.upload(join(this.local, name), this.key(name));
  }

  private async remoteManifest(stage: string): Promise<Manifest | undefined> {
    const body = await this.get(this.key(stage, MANIFEST_FILE));
    if (!body) return undefined;
    const text = await body.transformToString();
    const parsed = manifestSchema.safeParse(JSON.parse(text));
    if (!parsed.success) throw new TooltuneError("INPUT", `s3://${this.at.bucket}/${this.key(stage, MANIFEST_FILE)} is not a tooltune manifest`, { fix: "delete that output on S3; the stage then runs again" });
    return parsed.data;
  }

  private async get(key: string) {
    try {
      return (await this.client.send(new this.sdk.GetObjectCommand({ Bucket: this.at.bucket, Key: key }))).Body;
    } catch (e) {
      if ((e as { name?: string }).name === "NoSuchKey") return undefined;
      throw this.failed("read", key, e);
    }
  }

  private async download(key: string, file: string, optional = false): Promise<void> {
    const body = await this.get(key);
    if (!body) {
      if (optional) return;
      throw new TooltuneError("INPUT", `s3://${this.at.bucket}/${key} is listed in its manifest but missing`, { fix: "delete that stage's output on S3; it then runs again" });
    }
    await mkdir(dirname(file), { recursive: true });
    await pipe(body as Readable, createWriteStream(file));
  }

  private async upload(file: string, key: string): Promise<void> {
    try {
      const { size } = await stat(file);
      await this.client.send(new this.sdk.PutObjectCommand({ Bucket: this.at.bucket, Key: key, Body: createReadStream(file), ContentLength: size }));
    } catch (e) {
      throw this.failed("write", key, e);
    }
  }

  private failed(what: string, key: string, e: unknown): TooltuneError {
    return new TooltuneError("INPUT", `cannot ${what} s3://${this.at.bucket}/${key}: ${(e as Error).message}`, {
      fix: "check the bucket, AWS credentials and AWS_ENDPOINT_URL (for MinIO and other S3-compatible servers)",
      cause: e,
    });
  }
}
