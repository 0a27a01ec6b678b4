// Runs the train stage from a JSON argument, for the SIGKILL-resume test.
import { runStageForTest } from "@tooltune/core/testing";
import { trainStage } from "./stage.js";

const options = JSON.parse(process.argv[2]);
await runStageForTest(trainStage, options);
