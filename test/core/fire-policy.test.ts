import { describe, expect, it } from "vitest";
import { decideFire, type FireContext } from "../../core/fire-policy.ts";
import { buildMission } from "../../core/mission.ts";
import { validateSignal } from "../../core/signal.ts";
import type { Signal } from "../../core/types.ts";

const NOW = Date.parse("2026-11-21T12:00:00Z");
const ok: FireContext = {
  signalStatus: "active",
  minTier: "NIBBLER",
  tier: "FANG",
  firesToday: 0,
  bridge: { linked: true, lastSeenMs: NOW - 1000, tradeAllowed: true },
  nowMs: NOW,
  staleMs: 30_000,
  symbolUnavailable: null,
  lots: 0.5,
  sizeReason: null,
};
const code = (ctx: Partial<FireContext>) => {
  const d = decideFire({ ...ok, ...ctx });
  return d.ok ? "OK" : d.refusal.code;
};

describe("decideFire", () => {
  it("runs the contract's checks in order", () => {
    expect(code({})).toBe("OK");
    // Everything wrong at once: the first check in the contract's order answers.
    const allWrong: Partial<FireContext> = {
      signalStatus: "cancelled",
      minTier: "APEX",
      tier: "NIBBLER",
      firesToday: 99,
      bridge: { linked: false, lastSeenMs: null, tradeAllowed: false },
      lots: 0,
    };
    expect(code(allWrong)).toBe("SIGNAL_CANCELLED");
    expect(code({ ...allWrong, signalStatus: "expired" })).toBe("SIGNAL_EXPIRED");
    expect(code({ ...allWrong, signalStatus: "active" })).toBe("FORBIDDEN");
    expect(code({ ...allWrong, signalStatus: "active", minTier: "NIBBLER" })).toBe("LIMIT_REACHED");
    expect(code({ ...allWrong, signalStatus: "active", minTier: "NIBBLER", firesToday: 0 })).toBe("BRIDGE_NOT_LINKED");
    expect(code({ lots: 0, bridge: { linked: true, lastSeenMs: NOW - 31_000, tradeAllowed: true } })).toBe(
      "BRIDGE_OFFLINE",
    );
    expect(code({ lots: 0, bridge: { linked: true, lastSeenMs: NOW, tradeAllowed: false } })).toBe("BRIDGE_OFFLINE");
    expect(
      code({ lots: 0, bridge: { linked: true, lastSeenMs: NOW, tradeAllowed: false }, symbolUnavailable: "no" }),
    ).toBe("BRIDGE_OFFLINE");
    expect(code({ lots: 0, symbolUnavailable: "Your terminal does not offer BTCUSD" })).toBe("SYMBOL_UNAVAILABLE");
    expect(code({ lots: 0, sizeReason: "too small" })).toBe("SIZE_TOO_SMALL");
  });

  it("applies tier limits as data: APEX is unlimited, NIBBLER stops at 5", () => {
    expect(code({ tier: "APEX", firesToday: 10_000 })).toBe("OK");
    expect(code({ tier: "NIBBLER", firesToday: 4 })).toBe("OK");
    expect(code({ tier: "NIBBLER", firesToday: 5 })).toBe("LIMIT_REACHED");
  });
});

describe("buildMission", () => {
  it("personalises one shared signal: position, expiry countdown, status and the first blocking check", () => {
    const v = validateSignal(
      { symbol: "EURUSD", side: "BUY", entry: 1.085, stop_loss: 1.083, take_profit: 1.089, expires_in_s: 600 },
      NOW,
    );
    if (!v.ok) throw new Error(v.message);
    const signal: Signal = {
      ...v.value,
      id: "s_1",
      status: "active",
      created_at: new Date(NOW).toISOString(),
      cancelled_at: null,
      source: "api",
    };
    const overlay = { id: 7, tier: "FANG" as const, balance: 10_000, equity: 10_000, currency: "USD", risk_percent: 1 };
    const bridge = { linked: true, lastSeenMs: NOW, tradeAllowed: true };
    // The same signal, trader and terminal, seen at `nowMs`.
    const missionAt = (nowMs: number) =>
      buildMission({
        signal,
        overlay,
        terminalSpec: null,
        rates: {},
        fire: null,
        fireCount: 3,
        firesToday: 1,
        bridge,
        nowMs,
        staleMs: 30_000,
      });
    const m = missionAt(NOW);
    expect(m).toMatchObject({ status: "active", expires_in_s: 600, fire_count: 3, can_fire: true, fire_block: null });
    expect(m.position).toMatchObject({
      lots: 0.5,
      risk_amount: 100,
      reward_amount: 200,
      stop_pips: 20,
      target_pips: 40,
      risk_reward: 2,
    });
    expect(m.user).toMatchObject({ daily_limit: 15, fires_left_today: 14 });
    const later = missionAt(NOW + 601_000);
    expect(later).toMatchObject({
      status: "expired",
      expires_in_s: 0,
      can_fire: false,
      fire_block: { code: "SIGNAL_EXPIRED" },
    });
    expect(later.signal.status).toBe("expired");
    // The shared signal was not changed by building views of it.
    expect(signal.status).toBe("active");
  });
});
