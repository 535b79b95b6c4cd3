import { afterEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../../support/harness.ts";

const spec = (name: string, tickValue = 1) => ({
  name,
  tick_size: 0.00001,
  tick_value: tickValue,
  volume_min: 0.01,
  volume_step: 0.01,
  volume_max: 100,
  contract_size: 100_000,
  digits: 5,
});
const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const count = async (h: Harness, table: string) =>
  ((await h.store.query(`SELECT COUNT(*) AS n FROM ${table}`))[0] as { n: number }).n;

/** Finding 5 of issue #21: one bridge token cannot grow the database without bound. */
describe("POST /bridge/v1/heartbeat bounds", () => {
  let h: Harness;
  afterEach(async () => h?.close());

  const beat = (token: string, symbols: string[], prices: string[] = [], bid = 1.1) =>
    h.app.inject({
      method: "POST",
      url: "/bridge/v1/heartbeat",
      headers: { authorization: `Bearer ${token}` },
      payload: {
        account: { login: 1, server: "Demo", currency: "USD", balance: 10_000, equity: 10_000, trade_allowed: true },
        symbols: symbols.map((n) => spec(n)),
        prices: prices.map((symbol) => ({ symbol, bid, ask: bid + 0.0001 })),
      },
    });

  it("a terminal stores at most 2,000 symbols and 2,000 prices, and is told so by name", async () => {
    h = await startHarness();
    const token = await h.linkBridge(5101);
    expect((await beat(token, names("A", 2000), names("A", 2000))).statusCode).toBe(200);
    // Fresh names every heartbeat: refused, and nothing more is stored.
    for (const round of [1, 2, 3]) {
      const res = await beat(token, names(`B${round}_`, 500));
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({
        error: { code: "BAD_REQUEST", field: "symbols", message: expect.stringMatching(/at most 2000/) },
      });
      const prices = await beat(token, [], names(`P${round}_`, 500));
      expect(prices.statusCode).toBe(400);
      expect(prices.json()).toMatchObject({ error: { field: "prices" } });
    }
    expect(await count(h, "terminal_symbols")).toBe(2000);
    expect(await count(h, "terminal_prices")).toBe(2000);
    // Names it already has keep updating; another terminal has its own allowance.
    expect((await beat(token, names("A", 10), names("A", 10), 1.2)).statusCode).toBe(200);
    expect((await beat(await h.linkBridge(5102), names("C", 100))).statusCode).toBe(200);
    // More than 2,000 in one heartbeat is refused by the schema, naming the field.
    const big = await beat(token, names("D", 2001));
    expect(big.statusCode).toBe(400);
    expect(big.json()).toMatchObject({ error: { field: "symbols" } });
  });

  it("a repeated heartbeat writes only what changed", async () => {
    const writes: string[] = [];
    h = await startHarness({ onQuery: (sql) => writes.push(sql) });
    const token = await h.linkBridge(5201);
    expect((await beat(token, names("A", 500), names("A", 500))).statusCode).toBe(200);
    writes.length = 0;
    expect((await beat(token, names("A", 500), names("A", 500))).statusCode).toBe(200);
    const rowWrites = () => writes.filter((sql) => /INSERT INTO terminal_(symbols|prices)/.test(sql)).length;
    expect(rowWrites()).toBe(0);
    // One price moved: one write.
    writes.length = 0;
    const moved = await h.app.inject({
      method: "POST",
      url: "/bridge/v1/heartbeat",
      headers: { authorization: `Bearer ${token}` },
      payload: {
        account: { login: 1, server: "Demo", currency: "USD", balance: 10_000, equity: 10_000, trade_allowed: true },
        symbols: names("A", 500).map((n) => spec(n)),
        prices: names("A", 500).map((symbol, i) => ({
          symbol,
          bid: i === 7 ? 1.2 : 1.1,
          ask: (i === 7 ? 1.2 : 1.1) + 0.0001,
        })),
      },
    });
    expect(moved.statusCode).toBe(200);
    expect(rowWrites()).toBe(1);
    expect(await h.store.terminal.findPrice(5201, "A7")).toMatchObject({ bid: 1.2 });
  });
});
