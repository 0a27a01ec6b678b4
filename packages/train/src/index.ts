export const packageName = "@tooltune/train";
export { trainStage } from "./stage.js";
export type { Trainee } from "./trainee.js";
export { trainParams, loraParams, initParams, COURSE_TARGET_MODULES, type TrainParams } from "./params.js";
export { lrAt, warmupStepsFrom, type Schedule, type ScheduleKind } from "./schedule.js";
export { AdamW, clipByGlobalNorm, ADAMW_DEFAULTS, type AdamWConfig } from "./adamw.js";
export { trainLoop, evalLoss, totalSteps, type TrainTarget, type LoopConfig, type LoopState, type LogRow } from "./loop.js";
export { lossCurveSvg, type CurveSeries } from "./curve.js";
