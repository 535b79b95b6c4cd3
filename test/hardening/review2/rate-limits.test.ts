import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../../server/config/index.ts";
import { type Harness, startHarness } from "../../support/harness.ts";

const PROXY = "127.0.0.1"; // app.inject's socket address: the TLS proxy's hop
const heartbeatBody = {
  account: { login: 1, server: "Demo", currency: "USD", balance: 10_000, equity: 10_000, trade_allowed: true },
};

/** Finding 1 of issue #21: per-address limits behind a proxy, bridge per token, /health apart. */
describe("rate limits behind a proxy (TRUST_PROXY)", () => {
  let h: Harness;
  afterEach(async () => h?.close());

  const health = (from: string) =>
    h.app.inject({ method: "GET", url: "/health", remoteAddress: PROXY, headers: { "x-forwarded-for": from } });

  it("a 6,100-request /health flood through the proxy starves neither Mini App requests nor heartbeats", async () => {
    h = await startHarness({
      env: { TRUST_PROXY: "loopback", RATE_LIMIT_IP_PER_MIN: "6000", RATE_LIMIT_PER_MIN: "120" },
    });
    const token = await h.linkBridge(7001);
    const flood: number[] = [];
    // Half from many addresses, half from the trader's own address (same Wi-Fi, same NAT).
    for (let i = 0; i < 6100; i++) {
      const from = i % 2 === 0 ? `198.51.${(i >> 8) & 255}.${i & 255}` : "203.0.113.7";
      flood.push((await health(from)).statusCode);
    }
    expect(flood.filter((s) => s === 200).length).toBeGreaterThan(3000);
    const me = await h.app.inject({
      method: "GET",
      url: "/api/me",
      remoteAddress: PROXY,
      headers: { authorization: h.tma(7002), "x-forwarded-for": "203.0.113.7" },
    });
    expect(me.statusCode).toBe(200);
    const beat = await h.app.inject({
      method: "POST",
      url: "/bridge/v1/heartbeat",
      remoteAddress: PROXY,
      headers: { authorization: `Bearer ${token}`, "x-forwarded-for": "203.0.113.7" },
      payload: heartbeatBody,
    });
    expect(beat.statusCode).toBe(200);
  });

  it("330 terminals behind one address do not share one limit: bridge traffic is limited per token", async () => {
    h = await startHarness({ env: { RATE_LIMIT_IP_PER_MIN: "6000", RATE_LIMIT_BRIDGE_PER_MIN: "60" } });
    const tokens: string[] = [];
    for (let i = 0; i < 330; i++) tokens.push(await h.linkBridge(8000 + i));
    const statuses = new Map<number, number>();
    // 19 requests each (an EA's minute): 6,270 from one address, over the per-address 6,000.
    // Each round's 330 requests in flight together, as 330 terminals would send them: the whole
    // run must fit in the limiter's one-minute window, also on PostgreSQL on a loaded machine.
    for (let round = 0; round < 19; round++) {
      const answers = await Promise.all(
        tokens.map((token) =>
          h.app.inject({
            method: "GET",
            url: "/bridge/v1/commands?wait=0",
            headers: { authorization: `Bearer ${token}` },
          }),
        ),
      );
      for (const res of answers) statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
    }
    expect(Object.fromEntries(statuses)).toEqual({ 200: 330 * 19 });
    // One token is still held to its own limit (60 a minute here): 41 more make it 429 — or, when
    // the rounds above outlasted the one-minute window (a slow machine), 61 in the next window;
    // 130 cover both even when the window turns during them.
    const over: number[] = [];
    for (let i = 0; i < 130; i++) {
      over.push(
        (
          await h.app.inject({
            method: "GET",
            url: "/bridge/v1/commands?wait=0",
            headers: { authorization: `Bearer ${tokens[0]}` },
          })
        ).statusCode,
      );
    }
    expect(over).toContain(429);
    // The budget is the token's, across bridge routes: a heartbeat is over it too.
    const beat = await h.app.inject({
      method: "POST",
      url: "/bridge/v1/heartbeat",
      headers: { authorization: `Bearer ${tokens[0]}` },
      payload: heartbeatBody,
    });
    expect(beat.statusCode).toBe(429);
    expect(beat.json()).toMatchObject({ error: { code: "RATE_LIMITED" } });
    // …while its neighbour is not affected.
    const neighbour = await h.app.inject({
      method: "GET",
      url: "/bridge/v1/commands?wait=0",
      headers: { authorization: `Bearer ${tokens[1]}` },
    });
    expect(neighbour.statusCode).toBe(200);
  }, 180_000); // 6,300 bridge requests: on PostgreSQL each is several round trips on a loaded machine

  it("bridge requests without a valid token stay limited per address (random tokens get no bucket)", async () => {
    h = await startHarness({ env: { RATE_LIMIT_IP_PER_MIN: "5", RATE_LIMIT_BRIDGE_PER_MIN: "1000" } });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await h.app.inject({
        method: "GET",
        url: "/bridge/v1/commands",
        headers: { authorization: `Bearer random-${i}` },
      });
      statuses.push(res.statusCode);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429]);
  });

  /** Seven Mini App requests, each claiming another address in X-Forwarded-For. */
  async function fromSevenAddresses(): Promise<number[]> {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await h.app.inject({
        method: "GET",
        url: "/api/signals",
        headers: { authorization: h.tma(7100), "x-forwarded-for": `198.51.100.${i}` },
      });
      statuses.push(res.statusCode);
    }
    return statuses;
  }

  it("without TRUST_PROXY a forged X-Forwarded-For is ignored: the socket's address is the key", async () => {
    h = await startHarness({ env: { RATE_LIMIT_IP_PER_MIN: "5" } });
    expect((await fromSevenAddresses()).at(-1)).toBe(429);
  });

  it("with TRUST_PROXY set, each forwarded address has its own bucket", async () => {
    h = await startHarness({ env: { RATE_LIMIT_IP_PER_MIN: "5", TRUST_PROXY: "127.0.0.1/8" } });
    expect(await fromSevenAddresses()).toEqual([200, 200, 200, 200, 200, 200, 200]);
  });
});

describe("TRUST_PROXY configuration", () => {
  it("accepts loopback, a hop count and address lists", () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: "loopback" }).trustProxy).toEqual(["loopback"]);
    expect(loadConfig({ TRUST_PROXY: "2" }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: "10.0.0.1, 192.168.0.0/16,::1" }).trustProxy).toEqual([
      "10.0.0.1",
      "192.168.0.0/16",
      "::1",
    ]);
  });

  it.each(["yes", "10.0.0.300", "10.0.0.0/40", "loopback,proxy.example"])("refuses %s in one line", (value) => {
    expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(ConfigError);
    expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(/^TRUST_PROXY: /);
  });
});
