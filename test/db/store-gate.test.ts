import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDb } from "../../db/index.ts";
import { createStore, type SqliteStore } from "../../db/store.ts";
import { tempDir } from "../support/tmp.ts";

/** The SQLite store's transaction gate on its one connection (db/store.ts, TxGate). */
describe("SQLite store transactions", () => {
  let store: SqliteStore;
  let dir: ReturnType<typeof tempDir>;
  afterEach(async () => {
    await store?.close();
    dir?.cleanup();
  });

  const open = () => {
    dir = tempDir("sortie-gate-");
    store = createStore(openDb(join(dir.dir, "sortie.db")));
    return store;
  };
  const count = async () => Number((await store.query("SELECT COUNT(*) AS n FROM gate"))[0]!.n);

  it("runs 20 concurrent transactions one at a time, keeps outside calls out of them, and works again after", async () => {
    open();
    await store.query("CREATE TABLE gate (k INTEGER PRIMARY KEY, v INTEGER NOT NULL)");
    const seen: number[] = [];
    // Each transaction reads, yields to the event loop, then writes what it read plus one: if
    // two overlapped, or an outside call ran inside one, the final figure would come out short.
    await store.query("INSERT INTO gate (k, v) VALUES (1, 0)");
    const outside: Array<Promise<unknown>> = [];
    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        await store
          .transaction(async () => {
            const [row] = await store.query("SELECT v FROM gate WHERE k = 1");
            await new Promise((r) => setTimeout(r, 1));
            seen.push(Number(row!.v));
            await store.query("UPDATE gate SET v = ? WHERE k = 1", [Number(row!.v) + 1]);
            if (i === 3) throw new Error("rolled back"); // one failure undoes only its own write
          })
          .catch((err: Error) => expect(err.message).toBe("rolled back"));
        outside.push(store.query("INSERT INTO gate (k, v) VALUES (?, 0)", [100 + i]));
      }),
    );
    await Promise.all(outside);
    expect((await store.query("SELECT v FROM gate WHERE k = 1"))[0]!.v).toBe(19);
    expect(seen).toHaveLength(20);
    expect(await count()).toBe(21);
    // After every transaction ended (and the gate's storage was switched off), another one still
    // sees its own calls as inside and rolls back as a whole.
    await expect(
      store.transaction(async () => {
        await store.query("INSERT INTO gate (k, v) VALUES (500, 0)");
        await new Promise((r) => setTimeout(r, 1));
        await store.query("INSERT INTO gate (k, v) VALUES (500, 0)"); // duplicate key
      }),
    ).rejects.toThrow();
    expect(await count()).toBe(21);
  });
});
