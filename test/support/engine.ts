import { randomBytes } from "node:crypto";
import { join } from "node:path";
import pg from "pg";
import { inject } from "vitest";
import { openDb, type Sqlite } from "../../db/index.ts";
import { openPgStore } from "../../db/postgres/index.ts";
import { createStore, type Store } from "../../db/store.ts";

/** The engine the store-touching suites run on: `SORTIE_TEST_DB=postgres` (vitest project) or SQLite. */
export const TEST_ENGINE: "sqlite" | "postgres" = process.env.SORTIE_TEST_DB === "postgres" ? "postgres" : "sqlite";

export interface TestDatabase {
  /** SQLite: the file. PostgreSQL: the database URL. */
  location: string;
  /** The SQLite connection (null on PostgreSQL). */
  sqlite: Sqlite | null;
  open(options?: { onQuery?: (sql: string) => void; walCheckpointing?: "auto" | "external" }): Promise<Store>;
  /** Drops the PostgreSQL database (SQLite files go with their temp folder). */
  drop(): Promise<void>;
}

/** The test server's superuser URL: vitest's globalSetup, or SORTIE_TEST_PG_URL (bench/with-postgres.ts). */
const adminUrl = () => process.env.SORTIE_TEST_PG_URL ?? inject("pgUrl");

/** Runs `sql` as the PostgreSQL superuser of the test server. */
async function asAdmin(sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

/**
 * A fresh, migrated database for one test world, on the engine under test: a SQLite file in
 * `dir`, or a PostgreSQL database copied from the migrated template (test/support/postgres-setup.ts).
 */
export async function testDatabase(dir: string): Promise<TestDatabase> {
  if (TEST_ENGINE === "sqlite") {
    const path = join(dir, "sortie.db");
    const db: TestDatabase = {
      location: path,
      sqlite: null,
      async open(options = {}) {
        const sqlite = openDb(path, {
          ...(options.onQuery ? { onQuery: options.onQuery } : {}),
          walCheckpointing: options.walCheckpointing ?? "auto",
        });
        db.sqlite = sqlite;
        return createStore(sqlite);
      },
      async drop() {},
    };
    return db;
  }
  const name = `t_${randomBytes(6).toString("hex")}`;
  for (let attempt = 0; ; attempt++) {
    try {
      await asAdmin(`CREATE DATABASE ${name} TEMPLATE sortie_template`);
      break;
    } catch (err) {
      // Two copies of the template at the same instant can collide; a moment later they do not.
      if (attempt >= 20) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 100));
    }
  }
  const url = adminUrl().replace(/\/postgres$/, `/${name}`);
  return {
    location: url,
    sqlite: null,
    open: (options = {}) =>
      openPgStore(url, { poolSize: 10, ...(options.onQuery ? { onQuery: options.onQuery } : {}) }),
    drop: () => asAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}
