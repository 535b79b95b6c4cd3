import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiError } from "../../server/errors.ts";
import { type Harness, startHarness } from "../support/harness.ts";

/**
 * A tap whose checks passed just before an admin cancelled the signal is committed after the
 * cancel: it must be refused then (410 SIGNAL_CANCELLED), never become an order on a cancelled
 * signal. With several instances the window is the time the cancellation takes to reach the
 * others; in one process, the turn between the cancel's commit and the cache dropping the signal.
 */
describe("a fire racing the signal's cancellation", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it("is either committed before the cancel or refused as cancelled", async () => {
    for (let i = 0; i < 5; i++) {
      const signal = await h.createSignal();
      const user = 71_000 + i;
      await h.heartbeat(await h.linkBridge(user), { balance: 10_000 });
      // Same turn: the tap's checks see an active signal; the cancel starts right behind them.
      const tap = h.ctx.fires.newTap(user, signal.id).then(
        (outcome) => outcome,
        (err: unknown) => err,
      );
      const cancel = h.ctx.signals.cancel(signal.id, "admin-token");
      const [outcome] = await Promise.all([tap, cancel]);
      const events = (await h.store.fires.listSignalEvents(signal.id)).map((e) => [e.type, e.seq] as const);
      const cancelledAt = events.find(([type]) => type === "signal.cancelled")![1];
      if (outcome instanceof ApiError) {
        expect(outcome.code).toBe("SIGNAL_CANCELLED");
        expect(await h.store.fires.findFire(signal.id, user)).toBeNull();
      } else {
        const fire = (outcome as { fire: { id: string } }).fire;
        const created = (await h.store.fires.listFireEvents(fire.id)).find((e) => e.type === "fire.created")!;
        expect(created.seq).toBeLessThan(cancelledAt);
      }
    }
  });
});
