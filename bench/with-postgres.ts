import { spawn } from "node:child_process";
import pg from "pg";
import { openPgStore } from "../db/postgres/index.ts";
import { startPostgresServer } from "../test/support/postgres-server.ts";

/**
 * `npm run bench:pg -- missions api bridge`: the same benchmarks with the store on PostgreSQL (a
 * throwaway local server, as in the tests: test/support/postgres-server.ts), for BENCHMARKS.md.
 */
const server = await startPostgresServer();
let code = 1;
try {
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query("CREATE DATABASE sortie_template");
  await admin.end();
  await (await openPgStore(server.urlFor("sortie_template"), { poolSize: 1 })).close();
  const child = spawn(process.execPath, ["--import", "tsx", "bench/index.ts", ...process.argv.slice(2)], {
    stdio: "inherit",
    env: { ...process.env, SORTIE_TEST_DB: "postgres", SORTIE_TEST_PG_URL: server.url },
  });
  code = await new Promise<number>((resolve) => child.once("exit", (c) => resolve(c ?? 1)));
} finally {
  await server.stop();
}
process.exit(code);
