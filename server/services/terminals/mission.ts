import { type MissionTerminal, planTerminals, type TerminalPlan, terminalsFireBlock } from "../../../core/terminals.ts";
import type { MissionOverlayRow, TerminalSettings } from "../../../db/queries/users.ts";
import { tradeAllowedOf } from "../../../db/rows.ts";
import type { MissionView } from "../missions.ts";

export type { MissionTerminal };

/** The mission of a trader with terminals, plus what FIRE needs per terminal (internal). */
export type TerminalMission = MissionView & {
  terminals: MissionTerminal[];
  /** One plan per active terminal, with its bridge row (internal: not in the response schema). */
  terminal_plans: Array<TerminalPlan & { bridgeUserId: number }>;
};

/** True for the common case: one terminal, the trader's own row, enabled at allocation 1. */
export function ownTerminalOnly(terminals: readonly TerminalSettings[], userId: number): boolean {
  const only = terminals.length === 1 ? terminals[0]! : null;
  return only !== null && only.bridge_user_id === userId && only.allocation === 1 && only.enabled === 1;
}

/**
 * The common case's terminal list, read off the mission already built (no second sizing, no
 * read): the same answer `withTerminals` gives it.
 */
export function withOwnTerminal(mission: MissionView, only: TerminalSettings): TerminalMission {
  const out = mission as TerminalMission;
  const block = out.fire_block;
  const bridgeBlock = block && /^(BRIDGE_|SYMBOL_|SIZE_)/.test(block.code) ? block : null;
  out.terminals = [
    {
      id: only.id,
      name: only.name,
      enabled: true,
      online: mission.bridge.online,
      lots: mission.position.lots,
      risk_amount: mission.position.risk_amount,
      currency: mission.user.currency,
      reason: bridgeBlock?.message ?? null,
    },
  ];
  out.terminal_plans = [];
  return out;
}

/**
 * Adds each terminal's sizing and readiness to a built mission. `overlayOf` reads a terminal's
 * bridge row (the trader's own row for the first terminal) for this signal: its balance,
 * currency, broker spec and rates. `position` becomes the first terminal's (its allocation
 * applied) and `fire_block` says whether FIRE would trade anywhere.
 */
export async function withTerminals(
  mission: MissionView,
  terminals: readonly TerminalSettings[],
  overlayOf: (bridgeUserId: number) => Promise<MissionOverlayRow>,
  nowMs: number,
  staleMs: number,
): Promise<TerminalMission> {
  if (ownTerminalOnly(terminals, mission.user.id)) return withOwnTerminal(mission, terminals[0]!);
  const rows = await Promise.all(terminals.map(async (t) => ({ t, row: await overlayOf(t.bridge_user_id) })));
  const plans = planTerminals(
    mission.signal,
    {
      id: mission.user.id,
      tier: mission.user.tier,
      balance: mission.user.balance,
      equity: mission.user.equity,
      currency: mission.user.currency,
      risk_percent: mission.user.risk_percent,
    },
    rows.map(({ t, row }) => ({
      id: t.id,
      name: t.name,
      enabled: t.enabled === 1,
      allocation: t.allocation,
      bridge: { linked: row.linked, lastSeenMs: row.user.bridge_seen_ms, tradeAllowed: tradeAllowedOf(row.user) },
      balance: row.user.balance,
      currency: row.user.currency,
      terminalSpec: row.terminalSpec,
      rates: row.rates,
    })),
    {
      signalStatus: mission.status,
      minTier: mission.signal.min_tier,
      tier: mission.user.tier,
      firesToday: mission.user.fires_today,
      nowMs,
      staleMs,
    },
  );
  const out = mission as TerminalMission;
  out.terminal_plans = plans.map((plan, i) => ({ ...plan, bridgeUserId: rows[i]!.t.bridge_user_id }));
  out.terminals = plans.map(({ block, position, terminalSpec, ...shown }) => shown);
  const first = out.terminal_plans.find((p) => p.bridgeUserId === mission.user.id);
  if (first) {
    out.position = first.position;
    out.terminal_spec = first.terminalSpec;
  }
  out.fire_block = terminalsFireBlock(plans);
  out.can_fire = out.fire_block === null && out.fire === null;
  return out;
}
