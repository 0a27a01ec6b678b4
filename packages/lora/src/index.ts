export { LORA_TARGETS, defaultLoraConfig, scalingOf, toAdapterConfig, fromAdapterConfig, type LoraConfig, type LoraTarget } from "./config.js";
export { LoraAdapter, createLora, mergeAdapter, targetModulesOf, type TrainableTokens, type TargetModule } from "./lora.js";
export { saveAdapter, loadAdapter, loadWithAdapter, readAdapterConfig, saveMerged, mergeLora } from "./io.js";
export { inspectAdapter, type AdapterInfo, type ModuleInfo } from "./inspect.js";
