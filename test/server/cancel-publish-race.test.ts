import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertPublicSignal } from "../../server/services/staged.ts";
import { type Harness, startHarness } from "../support/harness.ts";
import { holdTransaction } from "../support/held-transaction.ts";

/**
 * An admin cancels a scheduled signal at the moment a scheduler (this instance's or another's)
 * publishes it. Whichever commits first, the admin's cancel holds: never published, or published
 * and then cancelled, never left active.
 */
describe("cancelling a scheduled signal as it is published", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it("cancels the published signal when the publish committed first", async () => {
    const publishAt = new Date(Date.now() + 3600_000).toISOString();
    const created = await h.app.inject({
      method: "POST",
      url: "/api/signals",
      headers: h.admin,
      payload: {
        symbol: "EURUSD",
        side: "BUY",
        entry: 1.085,
        stop_loss: 1.083,
        take_profit: [1.089],
        publish_at: publishAt,
        expires_at: new Date(Date.now() + 7200_000).toISOString(),
      },
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;
    const staged = (await h.store.staged.findStaged(id))!;

    // A scheduler's publish, held open: the staged row claimed and the signal stored.
    const publish = holdTransaction(h.store, async () => {
      const at = new Date().toISOString();
      expect(await h.store.staged.settleStaged(id, "published", "scheduler", at)).toBe(true);
      await insertPublicSignal(h.store, staged.signal, {
        id,
        createdMs: Date.now(),
        source: staged.source,
        actor: "scheduler",
        idempotencyKey: null,
        bodyHash: null,
      });
    });
    await publish.opened;
    const cancel = h.app.inject({ method: "POST", url: `/api/signals/${id}/cancel`, headers: h.admin });
    await new Promise((resolve) => setTimeout(resolve, 200));
    publish.release();
    await publish.committed;
    const answer = await cancel;
    expect(answer.statusCode).toBe(200);
    expect(answer.json().status).toBe("cancelled");
    expect((await h.store.signals.findSignal(id))?.status).toBe("cancelled");
  });
});
