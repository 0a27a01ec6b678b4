export { trainStage } from "./stage.js";
export { trainParams, type TrainParams } from "./params.js";
export type { Trainee } from "./trainee.js";
