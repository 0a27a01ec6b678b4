// Shared vitest settings: resolve workspace packages to their TypeScript sources (the
// "tooltune-src" export condition), so tests never depend on a stale dist/.
const conditions = ["tooltune-src", "node", "import", "module", "default"];
export default {
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: conditions } },
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ["default", "json"],
    outputFile: { json: "test-results.json" },
  },
};
