export const packageName = "@tooltune/tokenize";
export {
  loadTokenizerBundle,
  readBundleSummary,
  WORDS_PATTERN,
  type Pretokenize,
  TokenizerBundle,
  BUNDLE_FILE,
  UNK_TOKEN,
  VOCAB_MULTIPLE,
  type TemplateInfo,
  type SpecialToken,
  type EncodedText,
} from "./bundle.js";
export { tokenizeStage, TOKENIZER_DIR } from "./stage.js";
export { copyDrillsStage, copyDrillsParams, type CopyDrillsParams } from "./copy-drills-stage.js";
export { drillRows, idCounts, type DrillOptions } from "./copy-drills.js";
export { tokenizeParams, type TokenizeParams } from "./params.js";
