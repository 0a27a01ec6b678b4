import { isAbsolute, relative, resolve } from "node:path";
import { TooltuneError } from "@tooltune/core";
import type { Pipeline, PipelineStage } from "./pipeline.js";

/**
 * A pipeline as an Argo Workflows `Workflow`: Argo schedules, tooltune runs each stage. One DAG task
 * per stage (its `needs` are the task's dependencies), each a pod of the repository's image running
 * `tooltune run PIPELINE --only STAGE` in the repository, with the pipeline's workdir on a shared
 * volume. Skipping finished work is tooltune's own cache: the lock file lives in the workdir, so a
 * task whose stage is up to date finishes in seconds and a resubmitted workflow reruns only what
 * changed; a killed pod is retried and train resumes from its checkpoint in `<workdir>/.state`.
 * Stages run one at a time (an Argo mutex), in the DAG's order, each on the node its resources
 * ask for; fanning a data stage out over its input's parts is not done yet. With `workdir:
 * s3://…` there is no volume: the pods share the bucket.
 */
export interface ArgoOptions {
  /** The image built from the repository (`Dockerfile` at its root). */
  image: string;
  /** Where the repository is inside the image (its WORKDIR). */
  repoDir: string;
  /** An existing ReadWriteMany claim for the workdir; else the workflow claims one of `storage`. */
  claim?: string;
  storage: string;
  /** A Secret with the AWS_* variables, for a pipeline whose workdir is s3://. */
  s3Secret?: string;
  /** Stages that get a GPU; default: train stages and `cmd:` stages writing a model or adapter. */
  gpuStages?: string[];
  /** `--set` overrides, passed on to every task so keys match a local run with the same ones. */
  sets: string[];
  /** Where relative paths of the pipeline (its file, workdir) are relative to: the repository root. */
  cwd: string;
}

const GPU_KINDS = new Set(["adapter", "model"]);

export function argoWorkflow(pipeline: Pipeline, options: ArgoOptions): Record<string, unknown> {
  const pipelineFile = insideRepo(pipeline.file, options.cwd, "the pipeline file");
  // An s3:// workdir needs no shared volume: each pod mirrors what it reads and uploads what it writes.
  const workdir = pipeline.remote ? undefined : insideRepo(pipeline.workdir, options.cwd, "the pipeline's workdir");
  const names = taskNames(pipeline.stages);
  const gpu = new Set(options.gpuStages ?? pipeline.stages.filter(wantsGpu).map((s) => s.name));
  for (const name of gpu) {
    if (!names.has(name)) throw new TooltuneError("CONFIG", `--gpu-stages names '${name}', which is not a stage of ${pipeline.file}`, { fix: `use some of: ${[...names.keys()].join(", ")}` });
  }
  const command = ["node", "packages/cli/bin/tooltune.js", "run", pipelineFile, "--only", "{{inputs.parameters.stage}}", ...options.sets.flatMap((s) => ["--set", s])];
  const stageTemplate = (name: string, resources?: Record<string, unknown>) => ({
    name,
    inputs: { parameters: [{ name: "stage" }] },
    // a stage killed with its pod resumes (train from its last checkpoint) when retried
    retryStrategy: { limit: "2", retryPolicy: "Always" },
    // One stage at a time on the workdir: tooltune keeps one run per workdir (its lock file is
    // read, then rewritten), and its own marker cannot see a run in another pod.
    synchronization: { mutexes: [{ name: `tooltune-${dnsName(pipeline.name)}-workdir` }] },
    container: {
      name: "tooltune",
      image: options.image,
      workingDir: options.repoDir,
      command,
      env: [{ name: "FORCE_COLOR", value: "0" }],
      // AWS_* credentials (and AWS_ENDPOINT_URL for MinIO and the like) for an s3:// workdir
      ...(options.s3Secret && { envFrom: [{ secretRef: { name: options.s3Secret } }] }),
      ...(workdir && { volumeMounts: [{ name: "workdir", mountPath: `${options.repoDir}/${workdir}` }] }),
      ...(resources && { resources }),
    },
  });
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Workflow",
    metadata: { generateName: `${dnsName(pipeline.name)}-`, labels: { "tooltune/pipeline": dnsName(pipeline.name) } },
    spec: {
      entrypoint: "pipeline",
      ...(!workdir ? {}
        : options.claim ? { volumes: [{ name: "workdir", persistentVolumeClaim: { claimName: options.claim } }] }
        : { volumeClaimTemplates: [{ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "workdir" }, spec: { accessModes: ["ReadWriteMany"], resources: { requests: { storage: options.storage } } } }] }),
      templates: [
        {
          name: "pipeline",
          dag: {
            tasks: pipeline.stages.map((s) => ({
              name: names.get(s.name)!,
              template: gpu.has(s.name) ? "stage-gpu" : "stage",
              ...(s.needs.length > 0 && { dependencies: s.needs.map((n) => names.get(n)!) }),
              arguments: { parameters: [{ name: "stage", value: s.name }] },
            })),
          },
        },
        stageTemplate("stage"),
        stageTemplate("stage-gpu", { limits: { "nvidia.com/gpu": "1" } }),
      ],
    },
  };
}

const wantsGpu = (s: PipelineStage) =>
  s.kind === "train" || (s.kind === "cmd" && GPU_KINDS.has((s.params as { kind: string }).kind));

/** Argo task names are DNS labels: stage names with `_` or `.` are spelled with `-`, and must stay distinct. */
function taskNames(stages: PipelineStage[]): Map<string, string> {
  const names = new Map<string, string>();
  const taken = new Map<string, string>();
  for (const s of stages) {
    const task = dnsName(s.name);
    const other = taken.get(task);
    if (other) throw new TooltuneError("CONFIG", `stages '${other}' and '${s.name}' are both Argo task '${task}'`, { stage: s.name, fix: "rename one: Argo task names allow only letters, digits and '-'" });
    taken.set(task, s.name);
    names.set(s.name, task);
  }
  return names;
}

const dnsName = (name: string) => name.toLowerCase().replace(/[^a-z0-9-]/g, "-").replace(/^-+|-+$/g, "").slice(0, 63) || "stage";

/** A path as the image sees it: relative to the repository, which the image holds whole. */
function insideRepo(path: string, cwd: string, what: string): string {
  const rel = relative(cwd, resolve(cwd, path)).split("\\").join("/");
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) {
    throw new TooltuneError("CONFIG", `${what} (${path}) is outside the repository the image is built from`, {
      fix: "run `tooltune export argo` from the repository root, with the pipeline and its workdir inside it",
    });
  }
  return rel;
}
