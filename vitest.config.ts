import { defineConfig } from "vitest/config";

/** Suites that touch the store: they run on both engines (test/support/engine.ts). */
const STORE_SUITES = [
  "test/cluster/**/*.test.ts", // several instances on one database: PostgreSQL only
  "test/server/**/*.test.ts",
  "test/bridge/**/*.test.ts",
  "test/bot/**/*.test.ts",
  "test/e2e/**/*.test.ts",
];

export default defineConfig({
  test: {
    // Real SQLite files, real PostgreSQL, real HTTP, real Chromium: generous but bounded.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores on these machines: keep forks small so HTTP-heavy suites do not starve each other.
    pool: "forks",
    maxWorkers: 2,
    reporters: ["default", "./test/support/summary-reporter.ts"],
    projects: [
      { extends: true, test: { name: "sqlite", include: ["test/**/*.test.ts"], exclude: ["test/cluster/**"] } },
      {
        extends: true,
        test: {
          name: "postgres",
          include: STORE_SUITES,
          // A throwaway PostgreSQL server for the run (initdb in a temp folder; no docker).
          globalSetup: ["test/support/postgres-setup.ts"],
          env: { SORTIE_TEST_DB: "postgres" },
        },
      },
    ],
  },
});
