export const packageName = "@tooltune/tokenize";
export {
  loadTokenizerBundle,
  TokenizerBundle,
  BUNDLE_FILE,
  UNK_TOKEN,
  VOCAB_MULTIPLE,
  type TemplateInfo,
  type SpecialToken,
  type EncodedText,
} from "./bundle.js";
export { tokenizeStage, TOKENIZER_DIR } from "./stage.js";
export { tokenizeParams, type TokenizeParams } from "./params.js";
