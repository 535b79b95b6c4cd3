import { describe, expect, it } from "vitest";
import { blockLabel, firePlan } from "../../webapp/src/fire-plan.ts";

type Plan = Parameters<typeof firePlan>[0];
const terminal = (name: string, lots: number, risk: number, currency: string | null, reason: string | null = null) => ({
  id: `t_${name}`,
  name,
  enabled: true,
  online: reason === null,
  lots,
  risk_amount: risk,
  currency,
  reason,
});
const mission = (terminals: ReturnType<typeof terminal>[] | undefined) =>
  ({
    position: { lots: 2.5, risk_amount: 500 },
    user: { currency: "USD" },
    terminals,
  }) as unknown as Plan;

describe("what FIRE sends, as the confirmation and the MainButton say it", () => {
  it("one terminal: the mission's position", () => {
    expect(firePlan(mission(undefined))).toEqual({ lots: 2.5, risk: "$500.00", terminals: null });
    expect(firePlan(mission([terminal("MT5", 2.5, 500, "USD")]))).toEqual({
      lots: 2.5,
      risk: "$500.00",
      terminals: null,
    });
  });

  it("several terminals: every one that trades, in total (was: the first terminal's lots and risk only)", () => {
    const two = [
      terminal("MT5", 2.5, 500, "USD"),
      terminal("Second", 0.25, 50, "USD"),
      terminal("Spare", 0, 0, null, "offline"),
    ];
    expect(firePlan(mission(two))).toEqual({ lots: 2.75, risk: "$550.00", terminals: "MT5 2.50 · Second 0.25" });
    // Accounts in different currencies: the amounts side by side, never added up.
    const mixed = [terminal("MT5", 0.5, 100, "USD"), terminal("FTMO", 5.4, 1000, "EUR")];
    expect(firePlan(mission(mixed))).toEqual({
      lots: 5.9,
      risk: "$100.00 + €1,000.00",
      terminals: "MT5 0.50 · FTMO 5.40",
    });
  });

  it("a refusal's MainButton label is whole words (was: the message cut at 60 characters, mid-word)", () => {
    expect(
      blockLabel({
        code: "BRIDGE_OFFLINE",
        message: "Your terminal reports that trading is not allowed: enable Algo Trading",
      }),
    ).toBe("TERMINAL OFFLINE");
    const long = {
      code: "SOMETHING_NEW",
      message: "A reason the app has no label for yet, long enough to be cut somewhere",
    };
    const label = blockLabel(long);
    expect(label.length).toBeLessThanOrEqual(60);
    expect(label.endsWith("…")).toBe(true);
    expect(long.message.startsWith(label.slice(0, -1))).toBe(true);
    expect(long.message[label.length - 1]).toBe(" ");
    expect(blockLabel({ code: "X", message: "Short reason" })).toBe("Short reason");
  });
});
