import type { TestProject } from "vitest/node";
import { openPgStore } from "../../db/postgres/index.ts";
import { startPostgresServer } from "./postgres-server.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** Superuser URL of the throwaway PostgreSQL server (test/support/postgres-setup.ts). */
    pgUrl: string;
  }
}

/** The database every test database is copied from (CREATE DATABASE … TEMPLATE): migrated once. */
export const TEMPLATE_DB = "sortie_template";

/**
 * vitest globalSetup of the `postgres` project: one throwaway server for the whole run, with a
 * migrated template database; each harness copies it into a database of its own.
 */
export default async function setup(project: TestProject) {
  const server = await startPostgresServer();
  const { default: pg } = await import("pg");
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${TEMPLATE_DB}`);
  await admin.end();
  const store = await openPgStore(server.urlFor(TEMPLATE_DB), { poolSize: 1 });
  await store.close();
  project.provide("pgUrl", server.url);
  return () => server.stop();
}
