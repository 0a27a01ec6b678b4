export { main, buildCli } from "./main.js";
export type { CliIO } from "./io.js";
export { runPipeline, type RunOptions, type RunResult } from "./run.js";
export { loadPipeline, type Pipeline, type PipelineStage } from "./pipeline.js";
export { planRun, type PlanNode, type PlanOptions, type Step, type Observed } from "./plan.js";
export { pipelineStatus, type StageStatus } from "./status.js";
export { showDataset } from "./show.js";
export { runOneStage } from "./oneoff.js";
export { builtinStages, builtinRegistry, registryOf, type StageRegistry } from "./stages.js";
