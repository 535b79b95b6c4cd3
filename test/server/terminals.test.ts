import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createPaperTerminal, createStaticFeed, type PaperTerminal } from "../../bridge/paper/index.ts";
import type { HeartbeatSymbol } from "../../bridge/protocol.ts";
import { hashToken, newBridgeToken } from "../../server/auth/tokens.ts";
import { type Harness, startHarness } from "../support/harness.ts";
import { spec } from "../support/paper.ts";
import { waitFor } from "../support/wait.ts";

const TRADER = 4242;
const OTHER = 4343;
const EURUSD = { bid: 1.0849, ask: 1.085 };

interface Linked {
  id: string;
  token: string;
}

/** A paper terminal on `token`, with its own account and broker specs, over real HTTP. */
async function paper(
  h: Harness,
  token: string,
  name: string,
  account: { currency: string; balance: number },
  symbols: HeartbeatSymbol[],
): Promise<PaperTerminal> {
  const prices: Record<string, { bid: number; ask: number }> = {};
  for (const s of symbols) prices[s.name] = EURUSD;
  const terminal = createPaperTerminal({
    transport: { kind: "http", baseUrl: h.url, token, pollWaitS: 2 },
    stateFile: join(h.dir, `paper-${name}.json`),
    account: { login: name.length, server: `${name}-Live`, ...account },
    symbols,
    prices: createStaticFeed(prices),
    heartbeatMs: 300,
    retryBaseMs: 100,
    retryMaxMs: 500,
    stopsCheckMs: 20,
  });
  await terminal.start();
  return terminal;
}

describe("several terminals per trader", () => {
  let h: Harness;
  const papers: PaperTerminal[] = [];

  beforeEach(async () => {
    h = await startHarness({ listen: true, sweeper: true });
  });
  afterEach(async () => {
    for (const p of papers.splice(0)) await p.stop();
    await h.close();
  });

  const api = (method: "GET" | "POST" | "PATCH" | "DELETE", url: string, payload?: unknown, user = TRADER) =>
    h.app.inject({ method, url, headers: { authorization: h.tma(user) }, ...(payload ? { payload } : {}) });

  async function link(name: string, allocation?: number): Promise<Linked> {
    const res = await api("POST", "/api/me/terminals", allocation === undefined ? { name } : { name, allocation });
    expect(res.statusCode, res.body).toBe(201);
    const { terminal } = res.json() as { terminal: { id: string; token: string; name: string; allocation: number } };
    expect(terminal).toMatchObject({ name, allocation: allocation ?? 1, enabled: true });
    return { id: terminal.id, token: terminal.token };
  }

  it("sizes each terminal from its own balance and broker, sends each its own legs once, skips the offline and the disabled", async () => {
    // First terminal: the single-token flow (POST /api/me/bridge-token), USD, standard lots.
    const firstToken = await h.linkBridge(TRADER);
    const icm = await paper(h, firstToken, "icm", { currency: "USD", balance: 10_000 }, [spec("EURUSD")]);
    papers.push(icm);
    // FTMO: EUR account, broker name EURUSD.m, volume step 0.1, twice the risk.
    const ftmo = await link("FTMO", 2);
    const ftmoTick = 0.92166; // EUR per tick per lot (1 USD at 1.085)
    const ftmoPaper = await paper(h, ftmo.token, "ftmo", { currency: "EUR", balance: 50_000 }, [
      spec("EURUSD.m", { tick_value: ftmoTick, volume_min: 0.1, volume_step: 0.1 }),
    ]);
    papers.push(ftmoPaper);
    // Pepper: GBP account, half the risk.
    const pepper = await link("Pepper", 0.5);
    const pepperPaper = await paper(h, pepper.token, "pepper", { currency: "GBP", balance: 3_000 }, [
      spec("EURUSD", { tick_value: 0.79 }),
    ]);
    papers.push(pepperPaper);
    // Never started: offline.
    await link("Spare");
    // Online but disabled.
    const disabled = await link("Paused");
    const pausedPaper = await paper(h, disabled.token, "paused", { currency: "USD", balance: 20_000 }, [
      spec("EURUSD"),
    ]);
    papers.push(pausedPaper);
    expect((await api("PATCH", `/api/me/terminals/${disabled.id}`, { enabled: false })).json()).toMatchObject({
      terminal: { enabled: false },
    });

    const list = await waitFor(
      async () => {
        const res = (await api("GET", "/api/me/terminals")).json() as {
          terminals: Array<{ name: string; online: boolean; first: boolean; account: { currency: string } | null }>;
        };
        return res.terminals.filter((t) => t.online && t.account).length === 4 ? res.terminals : null;
      },
      10_000,
      "four terminals online",
    );
    expect(list.map((t) => [t.name, t.online, t.first, t.account?.currency ?? null])).toEqual([
      ["MT5", true, true, "USD"],
      ["FTMO", true, false, "EUR"],
      ["Pepper", true, false, "GBP"],
      ["Spare", false, false, null],
      ["Paused", true, false, "USD"],
    ]);

    const signal = await h.createSignal({ take_profit: [1.089, 1.091] });
    // Independent figures: risk money / (stop ticks × tick value), floored to each broker's step.
    const stopTicks = (1.085 - 1.083) / 0.00001;
    const floorTo = (x: number, step: number) => Number((Math.floor(x / step + 1e-9) * step).toFixed(2));
    const icmLots = floorTo((10_000 * 0.01) / (stopTicks * 1), 0.01); // 0.50
    const ftmoLots = floorTo((50_000 * 0.02) / (stopTicks * ftmoTick), 0.1); // 5.40
    const pepperLots = floorTo((3_000 * 0.005) / (stopTicks * 0.79), 0.01); // 0.09
    expect([icmLots, ftmoLots, pepperLots]).toEqual([0.5, 5.4, 0.09]);

    const mission = await waitFor(
      async () => {
        const m = (await api("GET", `/api/missions/${signal.id}`)).json() as {
          can_fire: boolean;
          position: { lots: number };
          terminals: Array<{ name: string; online: boolean; lots: number; reason: string | null }>;
        };
        return m.terminals.filter((t) => t.lots > 0).length >= 3 ? m : null;
      },
      10_000,
      "the mission sized on every terminal",
    );
    expect(mission.can_fire).toBe(true);
    expect(mission.position.lots).toBe(icmLots);
    expect(mission.terminals.map((t) => [t.name, t.online, t.lots])).toEqual([
      ["MT5", true, icmLots],
      ["FTMO", true, ftmoLots],
      ["Pepper", true, pepperLots],
      ["Spare", false, expect.any(Number)],
      ["Paused", true, expect.any(Number)],
    ]);
    expect(mission.terminals[3]!.reason).toMatch(/offline/i);
    expect(mission.terminals[4]!.reason).toMatch(/disabled/i);

    const fired = await h.fire(TRADER, signal.id);
    expect(fired.statusCode, fired.body).toBe(202);
    const fire = (
      fired.json() as {
        fire: { id: string; terminals: Array<{ name: string; status: string; lots: number; reason: string | null }> };
      }
    ).fire;
    expect(fire.terminals.map((t) => [t.name, t.status, t.lots])).toEqual([
      ["MT5", "sent", icmLots],
      ["FTMO", "sent", ftmoLots],
      ["Pepper", "sent", pepperLots],
      ["Spare", "skipped", 0],
      ["Paused", "skipped", 0],
    ]);
    expect(fire.terminals[3]!.reason).toMatch(/offline/i);

    // Each terminal executes its own legs: its broker's name, its volume split on its step.
    const legsOf = async (p: PaperTerminal, count: number) =>
      waitFor(() => (p.positions().length === count ? p.positions() : null), 10_000, "positions");
    const volumes = (positions: Array<{ symbol: string; volume: number }>) =>
      positions.map((p) => [p.symbol, p.volume]).sort();
    expect(volumes(await legsOf(icm, 2))).toEqual([
      ["EURUSD", 0.25],
      ["EURUSD", 0.25],
    ]);
    expect(volumes(await legsOf(ftmoPaper, 2))).toEqual([
      ["EURUSD.m", 2.7],
      ["EURUSD.m", 2.7],
    ]);
    expect(volumes(await legsOf(pepperPaper, 2))).toEqual([
      ["EURUSD", 0.04],
      ["EURUSD", 0.05],
    ]);

    // The fire's state covers every terminal.
    const filled = await waitFor(
      async () => {
        const f = (await api("GET", `/api/missions/${signal.id}`)).json() as {
          fire: {
            state: string;
            legs: Array<{ state: string }>;
            terminals: Array<{ name: string; state: string; fill_price: number | null; filled_volume: number | null }>;
          };
        };
        return f.fire.legs.length === 6 && f.fire.legs.every((l) => l.state === "filled") ? f.fire : null;
      },
      10_000,
      "filled on the three terminals",
    );
    expect(filled.state).toBe("filled");
    expect(filled.terminals.map((t) => [t.name, t.state, t.filled_volume])).toEqual([
      ["MT5", "filled", 0.5],
      ["FTMO", "filled", 5.4],
      ["Pepper", "filled", 0.09],
      ["Spare", "skipped", null],
      ["Paused", "skipped", null],
    ]);
    expect(filled.terminals[0]!.fill_price).toBe(1.085);

    // Nothing reached the disabled terminal; no terminal executed a leg twice.
    expect(pausedPaper.positions()).toEqual([]);
    expect(pausedPaper.executedIds()).toEqual([]);
    const executed = [icm, ftmoPaper, pepperPaper].flatMap((p) => p.executedIds());
    expect(new Set(executed).size).toBe(executed.length);
    expect(executed).toHaveLength(6);

    // Per-terminal stats, and the trader's total.
    const stats = (await api("GET", "/api/me/terminals")).json() as {
      terminals: Array<{ name: string; stats: { fills: number; xp: number } }>;
    };
    expect(stats.terminals.map((t) => [t.name, t.stats.fills, t.stats.xp])).toEqual([
      ["MT5", 1, 10],
      ["FTMO", 1, 10],
      ["Pepper", 1, 10],
      ["Spare", 0, 0],
      ["Paused", 0, 0],
    ]);
    const total = (await api("GET", `/api/users/${TRADER}/stats`)).json() as { xp: number };
    expect(total.xp).toBe(10);
  }, 60_000);

  it("applies a leg's update to that leg on every terminal: leg n is each terminal's n-th take-profit", async () => {
    const first = await paper(h, await h.linkBridge(TRADER), "first", { currency: "USD", balance: 10_000 }, [
      spec("EURUSD"),
    ]);
    papers.push(first);
    const second = await paper(h, (await link("Second")).token, "second", { currency: "USD", balance: 10_000 }, [
      spec("EURUSD"),
    ]);
    papers.push(second);
    // Online and with their balances: a terminal's poll can mark it online before its first
    // heartbeat (the balance) arrives, and a fire then skips it as "Balance unknown".
    await waitFor(
      async () => {
        const res = (await api("GET", "/api/me/terminals")).json() as {
          terminals: Array<{ online: boolean; account: { balance: number | null } | null }>;
        };
        return res.terminals.filter((t) => t.online && t.account?.balance != null).length === 2 ? true : null;
      },
      10_000,
      "two terminals online with their balances",
    );
    const signal = await h.createSignal({ take_profit: [1.089, 1.091] });
    const fired = await h.fire(TRADER, signal.id);
    expect(fired.statusCode, fired.body).toBe(202);
    const fireId = (fired.json() as { fire: { id: string } }).fire.id;
    const targets = (p: PaperTerminal) =>
      p
        .positions()
        .map((x) => x.take_profit)
        .sort();
    await waitFor(() => (first.positions().length === 2 && second.positions().length === 2 ? true : null), 10_000);
    const fire = await waitFor(
      async () => {
        const f = (await api("GET", `/api/missions/${signal.id}`)).json() as {
          fire: { legs: Array<{ leg: number; state: string }> };
        };
        return f.fire.legs.every((l) => l.state === "filled") ? f.fire : null;
      },
      10_000,
      "four legs filled",
    );
    // The API numbers legs by take-profit on each terminal, as the terminals' own commands do.
    expect(fire.legs.map((l) => l.leg)).toEqual([1, 2, 1, 2]);

    // An admin moves leg 1's target: both terminals' first legs, and no other.
    const moved = await h.app.inject({
      method: "POST",
      url: `/api/signals/${signal.id}/updates`,
      headers: h.admin,
      payload: { action: "move_tp", leg: 1, take_profit: 1.088 },
    });
    expect(moved.statusCode, moved.body).toBe(201);
    expect(moved.json().update).toMatchObject({ positions: 2, skipped: 0 });
    for (const p of [first, second]) {
      expect(await waitFor(() => (targets(p)[0] === 1.088 ? targets(p) : null), 10_000, "leg 1 moved")).toEqual([
        1.088, 1.091,
      ]);
    }

    // The trader closes leg 2: on both terminals.
    const closed = await api("POST", `/api/fires/${fireId}/manage`, { action: "close", leg: 2 });
    expect(closed.statusCode, closed.body).toBe(202);
    expect(closed.json().request).toMatchObject({ action: "close", positions: 2 });
    for (const p of [first, second]) {
      await waitFor(() => (p.positions().length === 1 ? true : null), 10_000, "leg 2 closed");
      expect(targets(p)).toEqual([1.088]);
    }
    // What the trader's Mini App lists as open: leg 1 on each terminal.
    const timeline = (await api("GET", `/api/fires/${fireId}/positions`)).json() as { open: Array<{ leg: number }> };
    expect(timeline.open.map((o) => o.leg)).toEqual([1, 1]);
  }, 60_000);

  it("gives each terminal's token only its own commands, and refuses a result for another terminal's", async () => {
    const firstToken = await h.linkBridge(TRADER);
    const second = await link("Second");
    await h.heartbeat(firstToken, { balance: 10_000 }, { symbols: [spec("EURUSD")] });
    await h.heartbeat(second.token, { balance: 20_000 }, { symbols: [spec("EURUSD")] });
    const signal = await h.createSignal();
    expect((await h.fire(TRADER, signal.id)).statusCode).toBe(202);

    const take = async (token: string) => {
      const res = await h.app.inject({
        method: "GET",
        url: "/bridge/v1/commands?wait=0",
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.statusCode).toBe(200);
      return (res.json() as { commands: Array<{ id: string; volume: number; leg: number }> }).commands;
    };
    const mine = await take(firstToken);
    const theirs = await take(second.token);
    expect(mine.map((c) => [c.leg, c.volume])).toEqual([[1, 0.5]]);
    expect(theirs.map((c) => [c.leg, c.volume])).toEqual([[1, 1]]);
    expect(mine[0]!.id).not.toBe(theirs[0]!.id);
    // Another trader's terminal sees nothing of it.
    const strangerToken = await h.linkBridge(OTHER);
    expect(await take(strangerToken)).toEqual([]);

    const result = await h.app.inject({
      method: "POST",
      url: "/bridge/v1/results",
      headers: { authorization: `Bearer ${second.token}` },
      payload: { id: mine[0]!.id, status: "filled", retcode: 10009, ticket: 1, price: 1.085, volume: 0.5 },
    });
    expect(result.statusCode).toBe(403);

    // Unlinked: the token stops working; a terminal id of another trader is not found.
    expect((await api("PATCH", `/api/me/terminals/${second.id}`, { name: "x" }, OTHER)).statusCode).toBe(404);
    const empty = await api("PATCH", `/api/me/terminals/${second.id}`, {});
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.message).toMatch(/nothing to change/i);
    expect((await api("DELETE", `/api/me/terminals/${second.id}`)).json()).toEqual({ unlinked: true });
    const after = await h.app.inject({
      method: "GET",
      url: "/bridge/v1/commands?wait=0",
      headers: { authorization: `Bearer ${second.token}` },
    });
    expect(after.statusCode).toBe(401);
    const names = ((await api("GET", "/api/me/terminals")).json() as { terminals: Array<{ name: string }> }).terminals;
    expect(names.map((t) => t.name)).toEqual(["MT5"]);
  }, 30_000);

  it("lists a token issued without its terminal row (an older database, local mode's demo) as the first terminal", async () => {
    const now = new Date().toISOString();
    await h.store.users.ensureUser({ id: OTHER }, now);
    await h.store.users.setBridgeTokenHash(OTHER, hashToken(newBridgeToken()), now);
    expect(await h.store.terminals.listTerminals(OTHER)).toEqual([]);
    const res = await api("GET", "/api/me/terminals", undefined, OTHER);
    expect(res.statusCode, res.body).toBe(200);
    const { terminals } = res.json() as { terminals: Array<{ name: string; first: boolean; allocation: number }> };
    expect(terminals.map((t) => [t.name, t.first, t.allocation])).toEqual([["MT5", true, 1]]);
    // Listed twice, still one.
    expect((await api("GET", "/api/me/terminals", undefined, OTHER)).json().terminals).toHaveLength(1);
  });

  it("refuses a fire with BRIDGE_OFFLINE when none of the terminals is online, and validates fields", async () => {
    await link("Only", 1);
    await link("Other", 3);
    const signal = await h.createSignal();
    const res = await h.fire(TRADER, signal.id);
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ error: { code: "BRIDGE_OFFLINE" } });
    const bad = await api("POST", "/api/me/terminals", { name: "Big", allocation: 6 });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain("allocation");
    const noName = await api("POST", "/api/me/terminals", { allocation: 1 });
    expect(noName.statusCode).toBe(400);
    expect(noName.body).toContain("name");
  });
});
