import type { Argv } from "yargs";
import type { CliIO } from "../io.js";
import { at } from "./paths.js";
import { pipelineOptions } from "./options.js";

export function exportCommand(io: CliIO) {
  return {
    command: "export <command>",
    describe: "write a pipeline for another engine to run (Argo Workflows)",
    builder: (y: Argv) => y
      .command({
        command: "argo <pipeline>",
        describe: "an Argo Workflows Workflow: a DAG task per stage running `tooltune run --only STAGE` in the repository's image",
        builder: (s: Argv) => pipelineOptions(s)
          .option("image", { type: "string", default: "tooltune:latest", describe: "the image built from the repository's Dockerfile" })
          .option("repo-dir", { type: "string", default: "/app", describe: "where the repository is inside the image" })
          .option("claim", { type: "string", describe: "an existing ReadWriteMany PersistentVolumeClaim for the workdir (default: the workflow claims one)" })
          .option("storage", { type: "string", default: "20Gi", describe: "size of the claimed workdir volume" })
          .option("s3-secret", { type: "string", describe: "a Secret with AWS_* variables for an s3:// workdir (passed to every pod as environment)" })
          .option("gpu-stages", { type: "string", describe: "comma-separated stages that get a GPU (default: train stages, cmd stages writing a model or adapter)" })
          .option("out", { type: "string", describe: "write the YAML here instead of standard output" }),
        handler: async (a: { pipeline: string; set?: string[]; image: string; repoDir: string; claim?: string; storage: string; s3Secret?: string; gpuStages?: string; out?: string }) => {
          const [{ loadPipeline }, { argoWorkflow }, { stringify }, { writeFile }] = await Promise.all([
            import("../pipeline.js"), import("../export-argo.js"), import("yaml"), import("node:fs/promises"),
          ]);
          const sets = a.set ?? [];
          const pipeline = await loadPipeline(a.pipeline, { registry: io.registry, cwd: io.cwd, sets });
          const workflow = argoWorkflow(pipeline, {
            image: a.image, repoDir: a.repoDir, claim: a.claim, storage: a.storage, s3Secret: a.s3Secret, sets, cwd: io.cwd,
            gpuStages: a.gpuStages?.split(",").map((s) => s.trim()).filter(Boolean),
          });
          const text = `# ${pipeline.file} for Argo Workflows: argo submit ${a.out ?? "<this file>"}\n${stringify(workflow, { lineWidth: 0 })}`;
          if (a.out) {
            await writeFile(at(io, a.out), text);
            io.log.info(`export argo: wrote ${a.out} (${pipeline.stages.length} tasks)`);
          } else io.out(text.trimEnd());
        },
      })
      .demandCommand(1, "name an engine: argo"),
    handler: () => {},
  };
}
