import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFileDropTransport } from "../../bridge/filedrop/index.ts";
import { createPaperTerminal, createStaticFeed } from "../../bridge/paper/index.ts";
import { type Harness, startHarness } from "../support/harness.ts";
import { paperTrader, spec } from "../support/paper.ts";
import { waitFor } from "../support/wait.ts";

/** At-least-once delivery from Sortie + exactly-once execution in the terminal = one position. */
describe("exactly-once execution", () => {
  let h: Harness;
  let nextUser = 30_000;
  const stops: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    h = await startHarness({ listen: true, sweeper: true });
  });
  afterAll(async () => {
    for (const stop of stops) await stop().catch(() => undefined);
    await h.close();
  });

  const fire = (user: number, signalId: string) => h.fire(user, signalId);
  const fireState = (user: number, signalId: string) => h.store.fires.findFire(signalId, user);

  it("terminal crashes after executing but before reporting, restarts: no second position", async () => {
    const id = nextUser++;
    const t = await paperTrader(h, id);
    await waitFor(async () => (await h.store.users.findUser(id))?.balance != null, 10_000, "online (heartbeat stored)");
    t.terminal.crashAfterExecute();
    const s = await h.createSignal();
    await fire(id, s.id);
    await waitFor(() => t.terminal.executedIds().length === 1, 5000, "executed");
    // The fire's own "delivered" bookkeeping follows the delivery (a round trip later on PostgreSQL).
    await waitFor(async () => (await fireState(id, s.id))?.state === "delivered", 5000, "fire delivered");
    // A new process on the same state file; the command is redelivered after the visibility timeout.
    const restarted = t.make();
    stops.push(() => restarted.stop());
    await restarted.start();
    const done = await waitFor(
      async () => ((await fireState(id, s.id))?.state === "filled" ? fireState(id, s.id) : null),
      15_000,
      "filled after restart",
    );
    expect(done.legs[0]!.deliveries).toBeGreaterThanOrEqual(1);
    expect(restarted.positions()).toHaveLength(1);
    expect(restarted.executedIds()).toHaveLength(1);
  }, 30_000);

  it("result post lost: redelivery re-reports the stored result, no second position", async () => {
    const id = nextUser++;
    const t = await paperTrader(h, id);
    stops.push(() => t.terminal.stop());
    await waitFor(async () => (await h.store.users.findUser(id))?.balance != null, 10_000, "online (heartbeat stored)");
    t.terminal.loseNextResult();
    const s = await h.createSignal();
    await fire(id, s.id);
    const done = await waitFor(
      async () => ((await fireState(id, s.id))?.state === "filled" ? fireState(id, s.id) : null),
      15_000,
      "filled after redelivery",
    );
    expect(done.legs[0]!.deliveries).toBe(2);
    expect(t.terminal.positions()).toHaveLength(1);
  }, 30_000);

  it("file drop: a terminal on the same machine gets the order once and reports back through files", async () => {
    const id = nextUser++;
    const dir = join(h.dir, "mt5-files", "sortie");
    // The user exists and is linked the usual way; the file-drop terminal itself needs no token.
    await h.linkBridge(id);
    const transport = createFileDropTransport({ dir, userId: id, service: h.ctx.bridge, pollMs: 50 });
    await transport.start();
    stops.push(() => transport.stop());
    const terminal = createPaperTerminal({
      transport: { kind: "file", dir, pollMs: 50 },
      stateFile: join(h.dir, "filedrop-state.json"),
      account: { login: id, server: "Paper", currency: "USD", balance: 10_000 },
      symbols: [spec("EURUSD")],
      prices: createStaticFeed({ EURUSD: { bid: 1.0849, ask: 1.085 } }),
      heartbeatMs: 200,
      stopsCheckMs: 20,
    });
    await terminal.start();
    stops.push(() => terminal.stop());
    await waitFor(
      async () => (await h.store.users.findUser(id))?.balance != null,
      10_000,
      "file-drop terminal online (heartbeat stored)",
    );
    const s = await h.createSignal();
    expect((await fire(id, s.id)).statusCode).toBe(202);
    const done = await waitFor(
      async () => ((await fireState(id, s.id))?.state === "filled" ? fireState(id, s.id) : null),
      8000,
      "filled via files",
    );
    expect(done.fill_price).toBe(1.085);
    expect(terminal.positions()).toHaveLength(1);
  }, 30_000);
});
