import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualClock } from "../../server/clock.ts";
import { type Harness, startHarness } from "../support/harness.ts";

/** BTCUSD as a crypto broker's terminal reports it: 1 BTC per lot, 2 digits, $0.01 per tick. */
const BTC_SPEC = {
  name: "BTCUSD.m",
  tick_size: 0.01,
  tick_value: 0.01,
  volume_min: 0.01,
  volume_step: 0.01,
  volume_max: 100,
  contract_size: 1,
  digits: 2,
};

const BTC_SIGNAL = { symbol: "BTCUSD", side: "BUY", entry: 60_000, stop_loss: 59_000, take_profit: [62_000] };

describe("symbols beyond the built-in list", () => {
  const clock = manualClock(Date.parse("2026-11-21T12:00:00Z"));
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ clock });
  });
  afterAll(() => h.close());

  it("refuses a symbol nobody's terminal reported, naming the field", async () => {
    const res = await h.app.inject({
      method: "POST",
      url: "/api/signals",
      headers: h.admin,
      payload: { ...BTC_SIGNAL, symbol: "ETHUSD", expires_in_min: 30 },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe("BAD_REQUEST");
    expect(res.json().error.message).toMatch(/ETHUSD.*no linked terminal has reported it/);
  });

  it("accepts BTCUSD once a linked terminal reported it, sizes with that terminal's spec, refuses others with SYMBOL_UNAVAILABLE", async () => {
    const ava = 7001;
    const bob = 7002;
    const avaToken = await h.linkBridge(ava);
    await h.heartbeat(avaToken, { balance: 10_000 }, { symbols: [BTC_SPEC] });
    const bobToken = await h.linkBridge(bob);
    await h.heartbeat(bobToken, { balance: 10_000 });

    const signal = await h.createSignal({ ...BTC_SIGNAL, entry: 60_000.004 });
    expect(signal.symbol).toBe("BTCUSD");
    expect(signal.entry).toBe(60_000); // rounded to the reported 2 digits
    expect(signal.digits).toBe(2);

    // Ava: 1 % of 10 000 = 100 USD at risk; 1 000 USD stop × 1 BTC per lot = 1 000 USD per lot → 0.1 lots.
    const mission = await h.app.inject({
      method: "GET",
      url: `/api/missions/${signal.id}`,
      headers: { authorization: h.tma(ava) },
    });
    expect(mission.statusCode).toBe(200);
    expect(mission.json().position).toMatchObject({ lots: 0.1, risk_amount: 100, spec_source: "terminal" });
    expect(mission.json().can_fire).toBe(true);

    // Bob's terminal does not offer it: the mission says why, and FIRE is refused with 409.
    const bobMission = await h.app.inject({
      method: "GET",
      url: `/api/missions/${signal.id}`,
      headers: { authorization: h.tma(bob) },
    });
    expect(bobMission.json().can_fire).toBe(false);
    expect(bobMission.json().fire_block).toMatchObject({ code: "SYMBOL_UNAVAILABLE" });
    expect(bobMission.json().fire_block.message).toContain("does not offer BTCUSD");
    const refused = await h.fire(bob, signal.id);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe("SYMBOL_UNAVAILABLE");

    const fired = await h.fire(ava, signal.id);
    expect(fired.statusCode).toBe(202);
    expect(fired.json().fire).toMatchObject({ lots: 0.1, symbol: "BTCUSD", broker_symbol: "BTCUSD.m" });
    const poll = await h.app.inject({
      method: "GET",
      url: "/bridge/v1/commands?wait=0",
      headers: { authorization: `Bearer ${avaToken}` },
    });
    expect(poll.json().commands[0]).toMatchObject({
      symbol: "BTCUSD.m",
      volume: 0.1,
      entry: 60_000,
      stop_loss: 59_000,
    });
  });

  it("checks the bridge before the symbol: an unlinked trader hears BRIDGE_NOT_LINKED", async () => {
    const signal = await h.createSignal({ ...BTC_SIGNAL });
    const res = await h.fire(7003, signal.id);
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe("BRIDGE_NOT_LINKED");
  });
});

describe("GET /api/prices/:symbol", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it("charts a broker-suffixed feed under Sortie's name, at the symbol's digits", async () => {
    const token = await h.linkBridge(7101);
    await h.heartbeat(token, {}, { prices: [{ symbol: "EURUSD.m", bid: 1.08524, ask: 1.08526 }] });
    await h.heartbeat(token, {}, { prices: [{ symbol: "EURUSD.m", bid: 1.0852, ask: 1.0853 }] });
    const res = await h.app.inject({
      method: "GET",
      url: "/api/prices/EURUSD",
      headers: { authorization: h.tma(7101) },
    });
    expect(res.statusCode).toBe(200);
    const [candle] = res.json().candles;
    expect(candle).toBeDefined();
    for (const value of [candle.open, candle.high, candle.low, candle.close]) {
      expect(Number(value.toFixed(5))).toBe(value);
    }
    expect(candle.open).toBe(1.08525);
  });
});
