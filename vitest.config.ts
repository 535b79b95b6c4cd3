import { defineConfig } from "vitest/config";

/** Suites that touch the store: they run on both engines (test/support/engine.ts). */
const STORE_SUITES = [
  "test/cluster/**/*.test.ts", // several instances on one database: PostgreSQL only
  "test/server/**/*.test.ts",
  "test/bridge/**/*.test.ts",
  "test/bot/**/*.test.ts",
  "test/e2e/**/*.test.ts",
  "test/hardening/**/*.test.ts",
  "test/webapp/**/*.test.ts",
];

/**
 * Store-touching suites that are about the SQLite file itself, or read it directly: they stay on
 * SQLite (the PostgreSQL counterparts, where one exists, are in test/cluster).
 */
const SQLITE_ONLY = [
  "test/hardening/backup.test.ts", // SQLite's online backup API (pg_dump: test/cluster)
  "test/hardening/crash.test.ts", // a server process on a SQLite file, read back with better-sqlite3
  "test/hardening/crash-paper.test.ts", // idem
  "test/hardening/updates-crash.test.ts", // idem
  "test/hardening/trace.test.ts", // npm run trace reads the SQLite file
  "test/hardening/trace-updates.test.ts", // idem
  "test/hardening/review2/health.test.ts", // a full disk, made with SQLite's max_page_count
  "test/hardening/review2/startup.test.ts", // a damaged database file (quick_check)
  "test/hardening/review2/filedrop.test.ts", // the file-drop transport alone (an in-memory service)
  "test/webapp/format.test.ts", // pure formatting, no store
  "test/webapp/fire-plan.test.ts", // idem
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
          exclude: SQLITE_ONLY,
          // A throwaway PostgreSQL server for the run (initdb in a temp folder; no docker).
          globalSetup: ["test/support/postgres-setup.ts"],
          env: { SORTIE_TEST_DB: "postgres" },
        },
      },
    ],
  },
});
