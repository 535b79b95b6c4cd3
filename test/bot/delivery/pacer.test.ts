import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SendWindow } from "../../../bot/delivery/pacer.ts";

/**
 * Simulates a sender driven by SendWindow, millisecond by millisecond, where each call reaches
 * Telegram `toTelegram` ms after it starts and its answer comes back `back` ms after that (both
 * random per call: a busy network or event loop). Returns when each call arrived at Telegram.
 */
function simulate(limit: number, windowMs: number, smooth: boolean, delays: Array<[number, number]>, calls: number) {
  const window = new SendWindow(limit, windowMs, smooth);
  const arrivals: number[] = [];
  const answers: number[] = [];
  let started = 0;
  for (let t = 0; started < calls || answers.length > 0; t++) {
    for (let i = answers.length - 1; i >= 0; i--) {
      if (answers[i]! <= t) {
        window.finish(t);
        answers.splice(i, 1);
      }
    }
    while (started < calls && window.canStart(t)) {
      const [toTelegram, back] = delays[started % delays.length]!;
      window.start(t);
      arrivals.push(t + toTelegram);
      answers.push(t + toTelegram + back);
      started++;
    }
    if (t > 1_000_000) throw new Error("simulation did not finish");
  }
  return arrivals.sort((a, b) => a - b);
}

/** The most arrivals in any `windowMs` span (Telegram's view of our rate). */
function busiestWindow(arrivals: number[], windowMs: number): number {
  let most = 0;
  let from = 0;
  for (let to = 0; to < arrivals.length; to++) {
    while (arrivals[from]! <= arrivals[to]! - windowMs) from++;
    most = Math.max(most, to - from + 1);
  }
  return most;
}

describe("SendWindow", () => {
  it("never lets more than `limit` calls arrive within any window, whatever the latencies", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.boolean(),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 300 })), {
          minLength: 1,
          maxLength: 50,
        }),
        (limit, smooth, delays) => {
          const arrivals = simulate(limit, 1000, smooth, delays, limit * 4);
          expect(busiestWindow(arrivals, 1000)).toBeLessThanOrEqual(limit);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("costs about one round trip per window in throughput (smooth: evenly spread)", () => {
    const arrivals = simulate(30, 1000, true, [[2, 2]], 300);
    const spanMs = arrivals.at(-1)! - arrivals[0]!;
    // 300 calls at 30/s: 10 windows' worth; at most ~1 % more with a 4 ms round trip.
    expect(spanMs).toBeGreaterThanOrEqual(9_900);
    expect(spanMs).toBeLessThan(10_200);
  });

  it("a reserve keeps places free: freeAt says when the next one opens", () => {
    const window = new SendWindow(4, 60_000);
    for (let t = 0; t < 3; t++) {
      window.start(t);
      window.finish(t + 1);
    }
    expect(window.canStart(10)).toBe(true);
    expect(window.canStart(10, 1)).toBe(false); // 3 of 4 used, 1 kept free
    expect(window.freeAt(10, 1)).toBe(60_001); // when the first answer leaves the window
    expect(window.canStart(60_001, 1)).toBe(true);
  });
});
