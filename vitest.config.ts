import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Real SQLite files, real HTTP, real Chromium: generous but bounded.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores on these machines: keep forks small so HTTP-heavy suites do not starve each other.
    pool: "forks",
    maxWorkers: 2,
    reporters: ["default", "./test/support/summary-reporter.ts"],
  },
});
