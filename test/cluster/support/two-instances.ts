import { afterAll, beforeAll } from "vitest";
import type { Store } from "../../../db/store.ts";
import { freePort, type ServerProcess, startServerProcess } from "../../hardening/support/server-process.ts";
import { type TestDatabase, testDatabase } from "../../support/engine.ts";
import { TEST_BOT_TOKEN } from "../../support/harness.ts";
import { startTelegramFake, type TelegramFake } from "../../support/telegram-fake.ts";
import { tempDir } from "../../support/tmp.ts";

/** Two real Sortie processes on one PostgreSQL database, and what the suite reads them with. */
export interface TwoInstances {
  db: TestDatabase;
  /** A store of the suite's own on the instances' database, to read what they wrote. */
  store: Store;
  /** The Bot API's local fake, which both instances talk to. */
  telegram: TelegramFake;
  a: ServerProcess;
  b: ServerProcess;
  /** Starts one more instance with the same settings (to put back one the suite killed). */
  start(): Promise<ServerProcess>;
}

/**
 * Sets up, for the enclosing `describe`, a fresh PostgreSQL database, the Bot API's fake and two
 * real Sortie processes (`node server/main.ts`) on that database; stops and drops it all after the
 * suite. `env` is what the suite's instances need beyond the database and the bot (pool size,
 * alert chats, heartbeat staleness). Call it at the top of the `describe`: its `beforeAll` then runs
 * before the suite's own. The fields are filled in by that `beforeAll`.
 */
export function useTwoInstances(tmpPrefix: string, env: Record<string, string>): TwoInstances {
  const tmp = tempDir(tmpPrefix);
  const cluster = {
    start: async () =>
      startServerProcess({
        databasePath: `${tmp.dir}/unused.db`,
        port: await freePort(),
        env: {
          DATABASE_URL: cluster.db.location,
          BOT_TOKEN: TEST_BOT_TOKEN,
          TELEGRAM_API_ROOT: cluster.telegram.apiRoot,
          ...env,
        },
      }),
  } as TwoInstances;

  beforeAll(async () => {
    cluster.db = await testDatabase(tmp.dir);
    cluster.store = await cluster.db.open();
    cluster.telegram = await startTelegramFake();
    cluster.a = await cluster.start();
    cluster.b = await cluster.start();
  }, 120_000);

  afterAll(async () => {
    await cluster.a?.stop();
    await cluster.b?.stop();
    await cluster.telegram?.close();
    await cluster.store?.close();
    await cluster.db?.drop();
    tmp.cleanup();
  });

  return cluster;
}
