import { afterEach, describe, expect, it } from "vitest";
import { WindowCounter } from "../../server/rate-limits.ts";
import { type Harness, startHarness } from "../support/harness.ts";

describe("WindowCounter (fixed one-minute windows per key)", () => {
  it("allows max requests a window, refuses the next with the seconds left, and opens a new window after", () => {
    let now = 1_000_000;
    const counter = new WindowCounter(100, 60_000, () => now);
    expect([counter.hit("a", 3), counter.hit("a", 3), counter.hit("a", 3)]).toEqual([0, 0, 0]);
    now += 20_500;
    expect(counter.hit("a", 3)).toBe(40); // 39.5 s left, rounded up
    expect(counter.hit("b", 3)).toBe(0); // another key has its own window
    now += 39_500;
    expect(counter.hit("a", 3)).toBe(0);
  });

  it("keeps at most its bound of keys, forgetting first the one whose window opened longest ago", () => {
    let now = 0;
    const counter = new WindowCounter(3, 60_000, () => now);
    for (const key of ["a", "b", "c"]) counter.hit(key, 1);
    now = 60_000;
    counter.hit("a", 1); // a's window ended: a new one opens, now the newest
    counter.hit("d", 1);
    expect([...counter.buckets.keys()].sort()).toEqual(["a", "c", "d"]);
    expect(counter.hit("a", 1)).toBeGreaterThan(0); // a's new window was kept
  });
});

describe("rate limits over HTTP", () => {
  let h: Harness;
  afterEach(async () => h?.close());

  it("refuses a client address past RATE_LIMIT_IP_PER_MIN with 429, Retry-After and the error shape; /health counts apart", async () => {
    h = await startHarness({ env: { RATE_LIMIT_IP_PER_MIN: "3", RATE_LIMIT_PER_MIN: "0" } });
    const get = (url: string, from = "198.51.100.7") => h.app.inject({ method: "GET", url, remoteAddress: from });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await get("/api/signals/nope")).statusCode);
    expect(statuses.slice(0, 3)).not.toContain(429);
    const refused = await get("/api/signals/nope");
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers["retry-after"])).toBeLessThanOrEqual(60);
    expect(refused.json()).toEqual({
      error: { code: "RATE_LIMITED", message: expect.stringMatching(/retry in \d+ s/) },
    });
    expect((await get("/health")).statusCode).toBe(200); // its own bucket
    expect((await get("/api/signals/nope", "198.51.100.8")).statusCode).not.toBe(429); // another address
  });

  it("refuses a Telegram user past RATE_LIMIT_PER_MIN whatever their address", async () => {
    h = await startHarness({ env: { RATE_LIMIT_IP_PER_MIN: "0", RATE_LIMIT_PER_MIN: "2" } });
    const me = (from: string) =>
      h.app.inject({ method: "GET", url: "/api/me", remoteAddress: from, headers: { authorization: h.tma(4242) } });
    expect((await me("198.51.100.1")).statusCode).toBe(200);
    expect((await me("198.51.100.2")).statusCode).toBe(200);
    const third = await me("198.51.100.3");
    expect(third.statusCode).toBe(429);
    expect(third.json().error.code).toBe("RATE_LIMITED");
    expect(third.headers["retry-after"]).toBeDefined();
    expect(
      (await h.app.inject({ method: "GET", url: "/api/me", headers: { authorization: h.tma(4243) } })).statusCode,
    ).toBe(200);
  });
});
