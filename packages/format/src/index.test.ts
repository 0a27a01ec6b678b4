import { expect, it } from "vitest";
import { packageName } from "./index.js";
it("exports its name", () => expect(packageName).toBe("@tooltune/format"));
