// Not part of the package (excluded from the build): the eval stage with a stand-in model that never
// calls a tool, for the stage contract's kill test, which runs a stage from a module in a child process.
import { scriptedGenerator } from "./generator.js";
import { makeEvalStage } from "./stage.js";

export const scriptedEvalStage = makeEvalStage(async () => scriptedGenerator("stand-in", () => "I am not sure."));
