// `tooltune export argo`: the workflow validates against Argo's own schema (the Workflow CRD's
// OpenAPI schema, as @kubernetes-models/argo-workflows ships it) and says what runs where.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Workflow } from "@kubernetes-models/argo-workflows/argoproj.io/v1alpha1";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createMemoryLogger } from "@tooltune/core";
import { main } from "./main.js";
import { builtinRegistry } from "./stages.js";

const repo = fileURLToPath(new URL("../../../", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "tooltune-argo-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function exportArgo(args: string[], cwd = repo): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(["export", "argo", ...args], { out: (l) => (out += l + "\n"), err: (l) => (err += l + "\n"), log: createMemoryLogger(), registry: builtinRegistry, cwd });
  return { code, out, err };
}

interface Task { name: string; template: string; dependencies?: string[]; arguments: { parameters: { name: string; value: string }[] } }

describe("export argo", () => {
  it("the quickstart: a valid Workflow, a task per stage with its needs, train on a GPU, each running tooltune on the shared workdir", async () => {
    const r = await exportArgo(["pipelines/quickstart.yaml", "--set", "raw.conversations=60"]);
    expect(r.code, r.err).toBe(0);
    const doc = parse(r.out);
    new Workflow(doc).validate(); // throws on anything the CRD schema refuses
    const pipeline = parse(readFileSync(join(repo, "pipelines/quickstart.yaml"), "utf8")).stages as Record<string, { needs?: string[]; uses?: string }>;
    const tasks = doc.spec.templates.find((t: { name: string }) => t.name === "pipeline").dag.tasks as Task[];
    expect(tasks.map((t) => t.arguments.parameters[0].value).sort()).toEqual(Object.keys(pipeline).sort());
    for (const t of tasks) {
      const stage = t.arguments.parameters[0].value;
      expect(t.dependencies ?? [], stage).toEqual((pipeline[stage].needs ?? []).map((n) => n.replace(/_/g, "-")));
      expect(t.template, stage).toBe(pipeline[stage].uses === "train" ? "stage-gpu" : "stage");
    }
    const gpu = doc.spec.templates.find((t: { name: string }) => t.name === "stage-gpu").container;
    expect(gpu.resources.limits["nvidia.com/gpu"]).toBe("1");
    expect(gpu.command).toEqual(["node", "packages/cli/bin/tooltune.js", "run", "pipelines/quickstart.yaml", "--only", "{{inputs.parameters.stage}}", "--set", "raw.conversations=60"]);
    expect(gpu.volumeMounts).toEqual([{ name: "workdir", mountPath: "/app/runs/quickstart" }]);
    expect(doc.spec.volumeClaimTemplates[0].spec.accessModes).toEqual(["ReadWriteMany"]);
    // one stage at a time on the shared workdir, whichever template
    for (const name of ["stage", "stage-gpu"]) expect(doc.spec.templates.find((t: { name: string }) => t.name === name).synchronization).toEqual({ mutexes: [{ name: "tooltune-quickstart-workdir" }] });
  });

  it("--claim uses an existing volume, --gpu-stages picks the GPU stages, --out writes a file", async () => {
    const file = join(scratch, "wf.yaml");
    const r = await exportArgo(["pipelines/quickstart.yaml", "--claim", "shared-runs", "--gpu-stages", "adapter,report", "--image", "registry.example/tooltune:abc", "--out", file]);
    expect(r.code, r.err).toBe(0);
    const doc = parse(readFileSync(file, "utf8"));
    new Workflow(doc).validate();
    expect(doc.spec.volumes).toEqual([{ name: "workdir", persistentVolumeClaim: { claimName: "shared-runs" } }]);
    const tasks = doc.spec.templates[0].dag.tasks as Task[];
    expect(tasks.filter((t) => t.template === "stage-gpu").map((t) => t.name)).toEqual(["adapter", "report"]);
    expect(doc.spec.templates[1].container.image).toBe("registry.example/tooltune:abc");
  });

  it("an s3:// workdir: no volume, the pods get the AWS secret", async () => {
    writeFileSync(join(repo, "tt-s3-export.tmp.yaml"), "pipeline: p\nworkdir: s3://tt-runs/p\nstages:\n  raw: { uses: synth }\n  convs: { uses: ingest, needs: [raw] }\n");
    try {
      const r = await exportArgo(["tt-s3-export.tmp.yaml", "--s3-secret", "s3-creds"]);
      expect(r.code, r.err).toBe(0);
      const doc = parse(r.out);
      new Workflow(doc).validate();
      expect(doc.spec.volumes ?? doc.spec.volumeClaimTemplates).toBeUndefined();
      const container = doc.spec.templates[1].container;
      expect(container.volumeMounts).toBeUndefined();
      expect(container.envFrom).toEqual([{ secretRef: { name: "s3-creds" } }]);
    } finally {
      rmSync(join(repo, "tt-s3-export.tmp.yaml"), { force: true });
    }
  });

  it("refuses what an image cannot run: a workdir outside the repository, a GPU stage that is not a stage", async () => {
    writeFileSync(join(scratch, "out.yaml"), "pipeline: p\nworkdir: /elsewhere/runs\nstages:\n  a: { uses: synth }\n");
    const outside = await exportArgo([join(scratch, "out.yaml")], scratch);
    expect(outside.code).toBe(1);
    expect(outside.err).toMatch(/workdir \(\/elsewhere\/runs\) is outside the repository/);
    const wrong = await exportArgo(["pipelines/quickstart.yaml", "--gpu-stages", "nope"]);
    expect(wrong.err).toMatch(/--gpu-stages names 'nope'/);
  });
});
