import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/harness.ts";
import { waitFor } from "../support/wait.ts";

/**
 * A committed fire hands its commands to the terminal's waiting long-poll (no second read); the
 * delivery is still recorded once, and a command is never delivered twice nor lost.
 */
describe("fire → waiting long-poll hand-over", () => {
  let h: Harness;
  let nextUser = 41_000;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  const fire = (user: number, signalId: string) => h.fire(user, signalId);
  const poll = (token: string, wait: number) =>
    h.app.inject({
      method: "GET",
      url: `/bridge/v1/commands?wait=${wait}`,
      headers: { authorization: `Bearer ${token}` },
    });
  const legsOf = (fireId: string) =>
    h.store.query("SELECT id, state, deliveries FROM bridge_commands WHERE fire_id = ? ORDER BY leg", [fireId]);

  async function trader() {
    const id = nextUser++;
    const token = await h.linkBridge(id);
    await h.heartbeat(token, { balance: 10_000 });
    return { id, token };
  }
  /** Resolves once a long-poll waits (one terminal at a time here: no paper terminals run). */
  const waiting = () => waitFor(() => h.ctx.memory.sizes().pollWaiters?.size === 1, 5000, "a poll waiting");

  it("answers the waiting poll with the committed command, delivered once, then marks the fire delivered", async () => {
    const s = await h.createSignal();
    const t = await trader();
    const answer = poll(t.token, 10);
    await waiting();
    const fired = await fire(t.id, s.id);
    expect(fired.statusCode).toBe(202);
    const got = await answer;
    expect(got.statusCode).toBe(200);
    const commands = got.json().commands as Array<{ id: string; fire_id: string; action: string }>;
    expect(commands).toHaveLength(1);
    expect(commands[0]).toMatchObject({ fire_id: fired.json().fire.id, action: "open" });
    expect(await legsOf(fired.json().fire.id)).toEqual([{ id: commands[0]!.id, state: "delivered", deliveries: 1 }]);
    await waitFor(
      async () => (await h.store.fires.findFire(s.id, t.id))?.state === "delivered",
      5000,
      "fire delivered",
    );
    // Nothing is due again before the visibility timeout.
    expect(await h.ctx.bridge.takeCommands(t.id)).toEqual([]);
  });

  it("gives the command to one of two waiting polls of the same terminal, never to both", async () => {
    const s = await h.createSignal();
    const t = await trader();
    const first = h.ctx.bridge.waitForHandedCommands(t.id, 30_000);
    const second = h.ctx.bridge.waitForHandedCommands(t.id, 30_000);
    await waiting();
    expect((await fire(t.id, s.id)).statusCode).toBe(202);
    const answers = await Promise.all([first, second]);
    expect(answers.map((a) => a.length).sort()).toEqual([0, 1]);
    expect(await h.ctx.bridge.takeCommands(t.id)).toEqual([]);
    const [leg] = await legsOf(answers.flat()[0]!.fire_id);
    expect(leg).toMatchObject({ state: "delivered", deliveries: 1 });
  });

  it("leaves the command queued for the next poll when the waiting one is gone", async () => {
    const s = await h.createSignal();
    const t = await trader();
    const gone = new AbortController();
    const waiter = h.ctx.bridge.waitForHandedCommands(t.id, 30_000, gone.signal);
    await waiting();
    // The poll's connection closes in the same turn as the fire's commit wakes it.
    h.ctx.hub.on("commands.ready", ({ user_id }) => {
      if (user_id === t.id) gone.abort();
    });
    expect((await fire(t.id, s.id)).statusCode).toBe(202);
    expect(await waiter).toEqual([]);
    const next = await h.ctx.bridge.takeCommands(t.id);
    expect(next).toHaveLength(1);
    const [leg] = await legsOf((next[0] as { fire_id: string }).fire_id);
    expect(leg).toMatchObject({ state: "delivered", deliveries: 1 });
  });

  it("claims only commands still queued", async () => {
    const s = await h.createSignal();
    const t = await trader();
    const fired = (await fire(t.id, s.id)).json().fire as { id: string; legs: Array<{ id: string }> };
    const ids = fired.legs.map((l) => l.id);
    expect(await h.store.commands.claimQueued([...ids, "c_unknown"], Date.now())).toEqual(ids);
    expect(await h.store.commands.claimQueued(ids, Date.now())).toEqual([]);
    expect((await legsOf(fired.id)).map((l) => l.deliveries)).toEqual(ids.map(() => 1));
  });
});
