import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fireChanged } from "../../server/services/bridge/changes.ts";
import { type Harness, startHarness } from "../support/harness.ts";
import { holdTransaction } from "../support/held-transaction.ts";
import { waitFor } from "../support/wait.ts";

/**
 * A fire's state is re-derived from its legs by whichever transaction changed one. On PostgreSQL
 * two of them run at once: the "delivered" bookkeeping after a poll and the terminal's fill
 * arriving right behind it. The one that read the legs first must not write its older state over
 * the other's (found as a metrics test that now and then saw the filled fire stay "delivered").
 */
describe("two transactions re-deriving one fire", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it("never writes an older leg state over a newer one", async () => {
    const signal = await h.createSignal();
    const token = await h.linkBridge(61_001);
    await h.heartbeat(token, { balance: 10_000 });
    const fired = await h.fire(61_001, signal.id);
    expect(fired.statusCode).toBe(202);
    const fireId = (fired.json() as { fire: { id: string } }).fire.id;
    const polled = await h.app.inject({
      url: "/bridge/v1/commands",
      headers: { authorization: `Bearer ${token}` },
    });
    const [leg] = (polled.json() as { commands: Array<{ id: string }> }).commands;
    const stateOf = async () => (await h.store.fires.findFireById(fireId))?.state;
    await waitFor(async () => (await stateOf()) === "delivered", 5000, "the fire delivered");

    // The fill's transaction: the leg filled and the fire re-derived, held open until released.
    const fill = holdTransaction(h.store, async () => {
      await h.store.commands.setLegResult(
        leg!.id,
        { state: "filled", retcode: 10009, ticket: "1", price: 1.085, volume: 0.5, message: null },
        Date.now(),
      );
      await h.store.terminals.lockFire(fireId);
      await fireChanged(h.store, fireId, Date.now(), "result", []);
    });
    await fill.opened;
    // Meanwhile the delivery's bookkeeping re-derives the same fire (as after a poll).
    const delivery = h.store.transaction(() => fireChanged(h.store, fireId, Date.now(), "delivered", []));
    await new Promise((resolve) => setTimeout(resolve, 200));
    fill.release();
    await Promise.all([fill.committed, delivery]);
    expect(await stateOf()).toBe("filled");
  });
});
