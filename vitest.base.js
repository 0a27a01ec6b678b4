// Shared vitest settings: resolve workspace packages to their TypeScript sources (the
// "tooltune-src" export condition), so tests never depend on a stale dist/.
// No "module": Node never reads it, and packages whose "module" build is not valid Node ESM (the
// AWS SDK's dist-es, extensionless imports) would fail in tests while working in the product.
const conditions = ["tooltune-src", "node", "import", "default"];
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
