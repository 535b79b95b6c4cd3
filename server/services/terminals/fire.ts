import type { BridgeCommand } from "../../../bridge/protocol.ts";
import { storedLeg } from "../../../core/legs.ts";
import type { NewCommand } from "../../../db/queries/fires.ts";
import type { FireTerminal } from "../../../db/queries/terminals.ts";
import { buildOpenCommands } from "../fire.ts";
import type { MissionView } from "../missions.ts";
import type { TerminalMission } from "./mission.ts";

export interface TerminalFire {
  brokerSymbol: string;
  commands: BridgeCommand[];
  rows: NewCommand[];
  terminals: FireTerminal[];
  lots: number;
  riskAmount: number;
}

/**
 * One fire over several terminals: each enabled, online terminal that can size the trade gets
 * its own legs (its lots, its broker's symbol name and volume step), addressed to its own bridge
 * row so only its token sees them; the others are recorded as skipped with the reason. Null for a
 * trader with a single plain terminal (the fire goes out as before).
 */
export function terminalFire(fireId: string, mission: MissionView, nowMs: number): TerminalFire | null {
  const plans = (mission as Partial<TerminalMission>).terminal_plans;
  if (!plans || plans.length === 0) return null;
  const out: TerminalFire = {
    brokerSymbol: mission.signal.symbol,
    commands: [],
    rows: [],
    terminals: [],
    lots: 0,
    riskAmount: 0,
  };
  let sent = 0;
  plans.forEach((plan, position) => {
    const base = { terminal_id: plan.id, bridge_user_id: plan.bridgeUserId, name: plan.name, position };
    if (plan.block !== null) {
      out.terminals.push({ ...base, status: "skipped", lots: 0, risk_amount: 0, reason: plan.reason });
      return;
    }
    const { brokerSymbol, commands } = buildOpenCommands(fireId, mission.signal, plan.lots, plan.terminalSpec, nowMs);
    if (sent === 0) {
      out.brokerSymbol = brokerSymbol;
      out.riskAmount = plan.risk_amount;
    }
    sent++;
    out.lots = Math.round((out.lots + plan.lots) * 1e8) / 1e8;
    out.terminals.push({ ...base, status: "sent", lots: plan.lots, risk_amount: plan.risk_amount, reason: null });
    for (const c of commands) {
      out.commands.push(c);
      out.rows.push({
        id: c.id,
        leg: storedLeg(position, c.leg), // its own commands say leg n (core/legs.ts)
        payload: JSON.stringify(c),
        volume: c.volume,
        take_profit: c.take_profit,
        user_id: plan.bridgeUserId,
      });
    }
  });
  return out;
}
