// The fused ops this package gives the model (see @tooltune/model's FusedOps): picked up by the
// model's selectBackend when it chooses `native`, used only while `native` is the active backend.
import { attention } from "./attention.js";
import { crossEntropy } from "./cross-entropy.js";
import { dropout, gatedActivation, rmsNorm, rope } from "./fused.js";
import { loraLinear } from "./lora-linear.js";

export const fusedOps = { crossEntropy, rmsNorm, rope, gatedActivation, loraLinear, dropout, attention };
