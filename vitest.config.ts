import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // nock patches global HTTP state; isolate files in forks so interceptors never leak across suites.
    pool: "forks",
  },
});
