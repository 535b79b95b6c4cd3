import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFileDropTransport } from "../../../bridge/filedrop/index.ts";
import { type Harness, startHarness } from "../../support/harness.ts";
import { waitFor } from "../../support/wait.ts";

const USER = 2101;

/** Finding 2 of issue #21: a leg's state only moves forward, whatever order reports arrive in. */
describe("bridge reports out of order", () => {
  let h: Harness;
  let token: string;
  beforeEach(async () => {
    h = await startHarness();
    token = await h.linkBridge(USER);
    await h.heartbeat(token);
  });
  afterEach(async () => h.close());

  const post = (path: string, payload: Record<string, unknown>) =>
    h.app.inject({ method: "POST", url: path, headers: { authorization: `Bearer ${token}` }, payload });
  const result = (id: string, extra: Record<string, unknown> = {}) =>
    post("/bridge/v1/results", {
      id,
      status: "filled",
      retcode: 10009,
      ticket: 77,
      price: 1.085,
      volume: 0.5,
      ...extra,
    });
  const closed = (id: string, profit: number) =>
    post("/bridge/v1/closed", { id, ticket: 77, close_price: 1.083, profit, closed_at: "2026-11-21T12:00:00Z" });

  /** Fires a fresh signal and lets the terminal take its command; returns the leg's id. */
  async function deliveredLeg(): Promise<{ fireId: string; legId: string }> {
    const signal = await h.createSignal();
    const fired = (await h.fire(USER, signal.id)).json() as { fire: { id: string; legs: Array<{ id: string }> } };
    const taken = await h.app.inject({
      method: "GET",
      url: "/bridge/v1/commands",
      headers: { authorization: `Bearer ${token}` },
    });
    expect((taken.json() as { commands: unknown[] }).commands).toHaveLength(1);
    return { fireId: fired.fire.id, legId: fired.fire.legs[0]!.id };
  }
  const fireOf = async (id: string) => (await h.store.fires.findFireById(id))!;
  const stats = async () =>
    (
      await h.app.inject({ method: "GET", url: `/api/users/${USER}/stats`, headers: { authorization: h.tma(USER) } })
    ).json() as {
      trades: number;
      xp: number;
      pnl: number;
    };

  it("a closed before its result is held, then applied: the fire ends closed with closed_at and profit", async () => {
    const { fireId, legId } = await deliveredLeg();
    expect((await closed(legId, -40)).statusCode).toBe(200);
    expect((await fireOf(fireId)).state).not.toBe("closed");
    expect((await stats()).trades).toBe(0);
    expect((await result(legId)).statusCode).toBe(200);
    const fire = await fireOf(fireId);
    expect(fire).toMatchObject({ state: "closed", profit: -40, closed_at: "2026-11-21T12:00:00.000Z" });
    expect(await stats()).toMatchObject({ trades: 1, pnl: -40 });
  });

  it("a late result never re-opens a closed leg; result → closed → result → closed counts one trade", async () => {
    const { fireId, legId } = await deliveredLeg();
    const before = await stats();
    for (const step of [() => result(legId), () => closed(legId, 25), () => result(legId), () => closed(legId, 25)])
      expect((await step()).statusCode).toBe(200);
    expect(await result(legId, { status: "rejected", retcode: 10006 })).toMatchObject({ statusCode: 200 });
    expect(await fireOf(fireId)).toMatchObject({ state: "closed", profit: 25 });
    const after = await stats();
    expect(after.trades - before.trades).toBe(1);
    // 10 for the fill, 5 + 20 for a winning close: once each.
    expect(after.xp - before.xp).toBe(35);

    // The order the EA's outbox produced in the review: closed → result → closed → result.
    const second = await deliveredLeg();
    for (const step of [
      () => closed(second.legId, 25),
      () => result(second.legId),
      () => closed(second.legId, 25),
      () => result(second.legId),
    ])
      expect((await step()).statusCode).toBe(200);
    expect(await fireOf(second.fireId)).toMatchObject({ state: "closed", profit: 25 });
    const last = await stats();
    expect(last.trades - after.trades).toBe(1);
    expect(last.xp - after.xp).toBe(35);
  });

  it("closed for a leg never delivered, or unknown, is refused with a clear 4xx and books nothing", async () => {
    const signal = await h.createSignal();
    const fired = (await h.fire(USER, signal.id)).json() as { fire: { id: string; legs: Array<{ id: string }> } };
    const legId = fired.fire.legs[0]!.id;
    const refused = await closed(legId, 999_999_999_999_999);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({
      error: { code: "CONFLICT", message: expect.stringMatching(/never delivered/) },
    });
    expect((await closed("c_unknown", 5)).statusCode).toBe(404);
    expect((await fireOf(fired.fire.id)).profit).toBeNull();
    expect(await stats()).toMatchObject({ trades: 0, xp: 0, pnl: 0 });
  });

  it("closed for a rejected order is refused", async () => {
    const { legId } = await deliveredLeg();
    await result(legId, { status: "rejected", retcode: 10006 });
    expect((await closed(legId, 5)).statusCode).toBe(409);
  });

  it("file drop: <id>.closed.json listed before <id>.json ends closed; one for an unsent leg is quarantined", async () => {
    const dir = join(h.dir, "bridge");
    const transport = createFileDropTransport({ dir, userId: USER, service: h.ctx.bridge, pollMs: 50, settleMs: 0 });
    await transport.start();
    try {
      // The file drop delivers the leg itself (its long-poll is woken by the fire).
      const first = await h.createSignal();
      const fired = (await h.fire(USER, first.id)).json() as { fire: { id: string; legs: Array<{ id: string }> } };
      const [fireId, legId] = [fired.fire.id, fired.fire.legs[0]!.id];
      await waitFor(async () => (await fireOf(fireId)).legs[0]!.state === "delivered", 10_000, "the leg delivered");
      await mkdir(join(dir, "out"), { recursive: true });
      const body = { id: legId, ticket: 9, close_price: 1.083, profit: -12.5, closed_at: "2026-11-21T12:00:00Z" };
      await writeFile(join(dir, "out", `${legId}.closed.json`), JSON.stringify(body));
      await writeFile(
        join(dir, "out", `${legId}.json`),
        JSON.stringify({ id: legId, status: "filled", retcode: 10009, ticket: 9, price: 1.085, volume: 0.5 }),
      );
      await waitFor(async () => (await fireOf(fireId)).state === "closed", 20_000, "the fire to close");
      expect(await fireOf(fireId)).toMatchObject({ profit: -12.5, closed_at: "2026-11-21T12:00:00.000Z" });

      // A leg nobody took: the file drop is stopped first (else its long-poll, woken by the fire,
      // may deliver the leg before the report below is scanned).
      await transport.stop();
      const signal = await h.createSignal();
      const queued = (await h.fire(USER, signal.id)).json() as { fire: { legs: Array<{ id: string }> } };
      const unsent = queued.fire.legs[0]!.id;
      await writeFile(
        join(dir, "out", `${unsent}.closed.json`),
        JSON.stringify({ id: unsent, ticket: 1, close_price: 2, profit: 999_999_999_999_999 }),
      );
      await transport.scanNow();
      expect((await readdir(join(dir, "quarantine"))).some((f) => f.includes(unsent))).toBe(true);
      expect((await stats()).pnl).toBe(-12.5);
    } finally {
      await transport.stop();
    }
  });
  it("a result and a closed sent at the same moment: every fire ends closed, each report applied once", async () => {
    // On PostgreSQL the two reports run in concurrent transactions: the result must see the close
    // held by the other (or the close the result applied), never miss it.
    await h.store.users.setTier(USER, "APEX", new Date().toISOString()); // no daily fire limit
    const legs = [];
    for (let i = 0; i < 12; i++) legs.push(await deliveredLeg());
    await Promise.all(legs.flatMap(({ legId }) => [result(legId), result(legId), closed(legId, 25)]));
    for (const { fireId } of legs) expect((await fireOf(fireId)).state).toBe("closed");
    expect(await stats()).toMatchObject({ trades: legs.length, pnl: 25 * legs.length });
    for (const { fireId } of legs) {
      const types = (await h.store.fires.listFireEvents(fireId)).map((e) => e.type);
      expect(types.filter((t) => t === "command.filled")).toHaveLength(1);
      expect(types.filter((t) => t === "command.closed")).toHaveLength(1);
    }
  });
});
