// Not part of the package (test-*.ts is excluded from the build): the tools module the agent tests
// load with --tools, one well-behaved tool and the two ways a tool can go wrong at run time.
import { z } from "zod";

export const tools = [
  {
    name: "add",
    description: "Add two numbers",
    parameters: z.object({ a: z.number(), b: z.number() }),
    run: ({ a, b }: { a: number; b: number }) => ({ sum: a + b }),
  },
  {
    name: "explode",
    description: "Always fails",
    parameters: { type: "object", properties: {} },
    run: () => {
      throw new Error("boom");
    },
  },
  {
    name: "hang",
    description: "Never answers",
    parameters: { type: "object", properties: {} },
    run: () => new Promise(() => {}),
  },
];
