import { afterAll, describe, expect, it } from "vitest";
import type { Store } from "../../db/store.ts";
import { systemClock } from "../../server/clock.ts";
import { loadConfig } from "../../server/config/index.ts";
import { Hub } from "../../server/events/hub.ts";
import { createTerminalService, type TerminalService } from "../../server/services/terminals/index.ts";
import { type TestDatabase, testDatabase } from "../support/engine.ts";
import { tempDir } from "../support/tmp.ts";

/**
 * Several terminals per trader on one PostgreSQL shared by two instances: a further terminal's
 * `users` row takes the next negative id (`min(id) - 1`), so two instances linking at the same
 * moment must never pick the same one (they are ordered by an advisory lock).
 */
describe("two instances link terminals at once", () => {
  const tmp = tempDir("sortie-cluster-terminals-");
  let database: TestDatabase;
  const stores: Store[] = [];
  afterAll(async () => {
    for (const store of stores) await store.close();
    await database?.drop();
    tmp.cleanup();
  });

  it("gives every new terminal its own bridge row, whichever instance linked it", async () => {
    database = await testDatabase(tmp.dir);
    const config = loadConfig({ DATABASE_URL: database.location });
    const instances: TerminalService[] = [];
    for (let i = 0; i < 2; i++) {
      const store = await database.open();
      stores.push(store);
      instances.push(createTerminalService({ store, clock: systemClock, config, hub: new Hub() }));
    }
    const now = new Date().toISOString();
    const traders = Array.from({ length: 12 }, (_, i) => 800_001 + i);
    for (const id of traders) await stores[0]!.users.ensureUser({ id, first_name: `T${id}` }, now);
    // Each trader's first terminal (their own row), then two more each, linked through both instances at once.
    await Promise.all(traders.map((id, i) => instances[i % 2]!.create(id, "first", 1)));
    const linked = await Promise.all(
      traders.flatMap((id, i) => [
        instances[i % 2]!.create(id, "second", 1),
        instances[(i + 1) % 2]!.create(id, "third", 0.5),
      ]),
    );
    expect(linked.every((l) => l.token.length > 0)).toBe(true);

    const rows = (await stores[1]!.query(
      "SELECT user_id, bridge_user_id, name, position FROM terminals ORDER BY user_id, position",
    )) as Array<{ user_id: number; bridge_user_id: number; name: string; position: number }>;
    expect(rows).toHaveLength(traders.length * 3);
    const further = rows.filter((r) => r.bridge_user_id < 0).map((r) => r.bridge_user_id);
    expect(further).toHaveLength(traders.length * 2);
    expect(new Set(further).size).toBe(further.length);
    for (const id of traders) {
      const own = rows.filter((r) => r.user_id === id);
      expect(own.map((r) => r.position)).toEqual([0, 1, 2]);
      expect(own[0]!.bridge_user_id).toBe(id);
    }
    // A negative row's trader is found from either instance.
    for (const instance of instances) expect(await instance.traderOf(further[0]!)).toBeGreaterThan(0);
  });
});
