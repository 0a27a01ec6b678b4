import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { atomicOutput, finishDirectory, removeStaleTemps, readManifest, sha256, openDataset, MANIFEST_FILE } from "./index.js";

const provenance = { stage: "train", stageVersion: "2", params: { r: 16 }, inputs: [] };
let root: string;
beforeAll(async () => { root = await mkdtemp(join(tmpdir(), "tt-files-")); });
afterAll(async () => { await rm(root, { recursive: true, force: true }); });

describe("finishDirectory", () => {
  it("lists every file recursively, sorted, with sizes and hashes, rows 0", async () => {
    const dir = join(root, "adapter");
    await mkdir(join(dir, "checkpoints", "step-10"), { recursive: true });
    await writeFile(join(dir, "adapter_config.json"), "{}");
    await writeFile(join(dir, "checkpoints", "step-10", "state.bin"), "abc");
    await writeFile(join(dir, "Z.txt"), "");
    const m = await finishDirectory(dir, "adapter", provenance, { finalLoss: 1.5 });
    expect(m.files).toEqual([
      { name: "Z.txt", bytes: 0, sha256: sha256("") },
      { name: "adapter_config.json", bytes: 2, sha256: sha256("{}") },
      { name: "checkpoints/step-10/state.bin", bytes: 3, sha256: sha256("abc") },
    ]);
    expect(m).toMatchObject({ kind: "adapter", rows: 0, rejected: 0, stats: { finalLoss: 1.5 }, stage: "train" });
    expect(await readManifest(dir)).toEqual(m);
    // a second finish does not list the old manifest as a file
    expect((await finishDirectory(dir, "adapter", provenance)).contentHash).toBe(m.contentHash);
    // not a dataset: openDataset says so
    await expect(openDataset(dir)).rejects.toThrow(/lists no Parquet parts/);
  });
});

describe("atomicOutput", () => {
  it("renames the temp dir into place on success, replacing an older output", async () => {
    const final = join(root, "out");
    for (const text of ["one", "two"]) {
      const seen = await atomicOutput(final, async (tmp) => {
        expect(tmp.startsWith(`${final}.tmp-`)).toBe(true);
        await writeFile(join(tmp, "a.txt"), text);
        await finishDirectory(tmp, "report", provenance);
        return tmp;
      });
      expect(existsSync(seen)).toBe(false);
      expect(await readFile(join(final, "a.txt"), "utf8")).toBe(text);
    }
    expect((await readdir(root)).filter((n) => n.startsWith("out"))).toEqual(["out"]);
  });

  it("removes the temp dir and leaves the old output alone on failure", async () => {
    const final = join(root, "out");
    const err = await atomicOutput(final, async (tmp) => {
      await writeFile(join(tmp, "a.txt"), "three");
      throw new Error("boom");
    }).catch((e) => e);
    expect(err.message).toBe("boom");
    expect(await readFile(join(final, "a.txt"), "utf8")).toBe("two");
    expect((await readdir(root)).filter((n) => n.startsWith("out"))).toEqual(["out"]);
  });

  it("refuses an output without a manifest", async () => {
    const final = join(root, "nomanifest");
    await expect(atomicOutput(final, async () => {})).rejects.toThrow(/has no _manifest\.json/);
    expect(existsSync(final)).toBe(false);
  });

  it("leaves only a removable .tmp- sibling and no manifest when the process is killed", async () => {
    const final = join(root, "killed");
    // a child that writes a dataset through atomicOutput and stops before finishing it
    const script = `
      import { atomicOutput, DatasetWriter } from ${JSON.stringify(new URL("./index.ts", import.meta.url).href)};
      await atomicOutput(${JSON.stringify(final)}, async (tmp) => {
        const w = await DatasetWriter.create(tmp, { kind: "tokens", rowsPerFile: 2 });
        await w.write([0, 1, 2].map((i) => ({ id: "r" + i, input_ids: [i], loss_mask: [1], position_ids: [0], n_examples: 1, split: "train" })));
        console.log("wrote");
        setInterval(() => {}, 1 << 30);
        await new Promise(() => {});
      });`;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (d: Buffer) => d.toString().includes("wrote") && resolve());
      child.on("exit", (code) => reject(new Error(`child exited ${code}`)));
    });
    child.kill("SIGKILL");
    await new Promise((r) => child.on("exit", r));
    expect(existsSync(final)).toBe(false);
    const temps = (await readdir(root)).filter((n) => n.startsWith("killed.tmp-"));
    expect(temps).toHaveLength(1);
    const left = await readdir(join(root, temps[0]));
    expect(left).toContain("part-00000.parquet");
    expect(left).not.toContain(MANIFEST_FILE);
    expect(await removeStaleTemps(final)).toEqual([join(root, temps[0])]);
    expect((await readdir(root)).filter((n) => n.startsWith("killed"))).toEqual([]);
  });
});
