import { loadModelGenerator } from "./model-generator.js";
import { makeEvalStage } from "./stage.js";

/** The eval stage with real models (the CLI's entry); tests build theirs with a scripted model. */
export const evalStage = makeEvalStage(loadModelGenerator);
