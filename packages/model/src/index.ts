export { FAMILIES, isGemma, fromHfConfig, toHfConfig, makeConfig, type ModelConfig, type Family, type RopeScaling, type Llama3Rope, type LongRope, type LinearRope } from "./config.js";
export { CausalLM, gatherRows, isLinearWeight, type Adapter, type ForwardOptions, type KvCache, type LossOptions, type LossResult, type Params, type Rows } from "./model.js";
export { chunkedCrossEntropy, crossEntropy, LOGITS_CHUNK_ELEMENTS } from "./cross-entropy.js";
export { loadModel, saveModel, createModel, resizeTokenEmbeddings, parameterShapes, readCheckpointTensors, toHostTensor, type SaveOptions, type ParamOptions } from "./checkpoint.js";
export { seededRandomNormal } from "./random.js";
export { readSafetensors, writeSafetensors, type HostTensor, type StDtype } from "./safetensors.js";
export { selectBackend, BACKENDS, type BackendName, type BackendChoice } from "./backend.js";
export { fusedOps, setFusedOps, type FusedOps } from "./fused.js";
export { generate, pickToken, type GenerateOptions, type Generation, type FinishReason } from "./generate.js";
