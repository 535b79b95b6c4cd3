import { DEFAULT_SPECS } from "../../core/instruments/index.ts";
import { roundMoney, roundTo } from "../../core/money.ts";
import type { FireView } from "../../db/rows.ts";
import { escapeHtml, signedMoney, utcTime } from "./common.ts";
import { terminalsReportText } from "./terminals.ts";

type Leg = FireView["legs"][number];

const FILLED_STATES = new Set(["filled", "closed"]);

/** Lots as the terminal filled them (the planned volume until it said otherwise). */
const filledLots = (leg: Leg) => leg.filled_volume ?? leg.volume;
/** A sum of lots on the 0.01 grid, without float noise (0.94 + 0.93 = 1.87, not 1.8699999999999999). */
const sumLots = (legs: readonly Leg[], lots: (leg: Leg) => number) =>
  roundTo(
    legs.reduce((sum, leg) => sum + lots(leg), 0),
    8,
  );
/**
 * Slippage against the signal's entry, in the trader's terms: "Slippage 1.5 pips against you",
 * "Slippage 0.4 pips in your favour" (positive pips cost the trader), "No slippage".
 */
export function slippageText(pips: number): string {
  if (pips === 0) return "No slippage";
  const size = Math.abs(pips);
  return `Slippage ${size} ${size === 1 ? "pip" : "pips"} ${pips > 0 ? "against you" : "in your favour"}`;
}

/** The lots a fire actually holds or held: its filled legs' volumes once any filled, else the planned lots. */
export function lotsOf(fire: FireView): number {
  const filled = fire.legs.filter((l) => FILLED_STATES.has(l.state));
  return filled.length > 0 ? sumLots(filled, filledLots) : fire.lots;
}

/** A price at the symbol's digits, without trailing zeros (1.0852, 150.123). */
const priceText = (symbol: string, value: number | null) =>
  value === null ? "market" : String(roundTo(value, DEFAULT_SPECS.get(symbol)?.digits ?? 8));

const REFUSAL_TITLE: Record<string, string> = {
  rejected: "❌ <b>Order rejected</b>",
  failed: "⚠️ <b>Order failed</b>",
  expired: "⌛ <b>Order expired</b>",
};

const REFUSAL_WORD: Record<string, string> = { rejected: "rejected", failed: "failed", expired: "expired" };

/** Why a leg was not filled, in the terminal's plain words. */
const reasonOf = (leg: Leg, fire: FireView) =>
  escapeHtml(leg.message ?? fire.message ?? "no reason given by the terminal");

/** "Leg 2" or, on a fire over several terminals, "FTMO · Leg 2" (each terminal has a leg 2). */
function legName(fire: FireView, leg: Leg): string {
  const terminal =
    fire.terminals && fire.terminals.length > 1
      ? fire.terminals.find((t) => t.bridge_user_id !== undefined && t.bridge_user_id === leg.bridge_user_id)
      : undefined;
  return terminal ? `${escapeHtml(terminal.name)} · Leg ${leg.leg}` : `Leg ${leg.leg}`;
}

/** "Leg 2 (TP 1.092)", "FTMO · Leg 2 (TP 1.092)", or the name alone for a leg without a target. */
const legTitle = (fire: FireView, leg: Leg) =>
  `${legName(fire, leg)}${leg.take_profit === null ? "" : ` (TP ${priceText(fire.symbol, leg.take_profit)})`}`;

/** "Leg 2 (TP 1.092): 0.47 lots at 1.0852" or "Leg 3 (TP 1.095): ❌ rejected — not enough money". */
function legLine(fire: FireView, leg: Leg): string {
  const name = legTitle(fire, leg);
  if (FILLED_STATES.has(leg.state)) {
    return `${name}: ${filledLots(leg)} lots at <code>${priceText(fire.symbol, leg.price)}</code>`;
  }
  if (leg.state === "queued" || leg.state === "delivered") return `${name}: ⏳ no answer yet`;
  return `${name}: ❌ ${REFUSAL_WORD[leg.state] ?? leg.state} — ${reasonOf(leg, fire)}`;
}

/**
 * The one DM about a fire's fills, sent when every leg answered (or after a short wait): what
 * actually filled (total lots, average price, slippage), one line per leg when there are several,
 * and every refused leg with the terminal's reason in plain words.
 */
export function fillReportText(fire: FireView): string {
  if (fire.terminals && fire.terminals.length > 0) return terminalsReportText(fire);
  const filled = fire.legs.filter((l) => FILLED_STATES.has(l.state));
  const refused = fire.legs.filter(
    (l) => !FILLED_STATES.has(l.state) && l.state !== "queued" && l.state !== "delivered",
  );
  const pending = fire.legs.length - filled.length - refused.length;
  const several = fire.legs.length > 1;
  const side = `${escapeHtml(fire.symbol)} ${fire.side}`;
  if (filled.length === 0) {
    const state = refused[0]?.state ?? fire.state;
    const lots = sumLots(refused, (l) => l.volume);
    return [
      `${REFUSAL_TITLE[state] ?? "❌ <b>Order not filled</b>"} — ${side} ${lots} lots`,
      ...(several ? fire.legs.map((leg) => legLine(fire, leg)) : [reasonOf(refused[0] ?? fire.legs[0]!, fire)]),
    ].join("\n");
  }
  const lots = sumLots(filled, filledLots);
  const title = refused.length === 0 && pending === 0 ? "✅ <b>Filled</b>" : "⚠️ <b>Partly filled</b>";
  const totals = several
    ? `${lots} lots at <code>${priceText(fire.symbol, fire.fill_price)}</code> (${filled.length} of ${fire.legs.length} legs filled)`
    : `${lots} lots at <code>${priceText(fire.symbol, fire.fill_price ?? filled[0]!.price)}</code>`;
  return [
    `${title} — ${side}`,
    totals,
    ...(several ? fire.legs.map((leg) => legLine(fire, leg)) : []),
    ...(fire.slippage_pips === null ? [] : [slippageText(fire.slippage_pips)]),
  ].join("\n");
}

/** A later word about legs that answered after the fill report went out. */
export function lateLegsText(fire: FireView, legs: readonly Leg[]): string {
  return [`ℹ️ <b>Update</b> — ${escapeHtml(fire.symbol)} ${fire.side}`, ...legs.map((leg) => legLine(fire, leg))].join(
    "\n",
  );
}

/**
 * "🏁 Trade closed": the lots that actually closed, the money result of the closed legs (one line
 * per leg when there were several) and the XP gained.
 */
export function closedText(fire: FireView, currency: string | null, xpGained: number): string {
  const closed = fire.legs.filter((l) => l.state === "closed");
  const profit = fire.profit ?? roundMoney(closed.reduce((sum, l) => sum + (l.profit ?? 0), 0));
  const lots = sumLots(closed, filledLots);
  const legLines =
    closed.length > 1
      ? closed.map(
          (l) =>
            `${legName(fire, l)}: ${filledLots(l)} lots closed at <code>${priceText(fire.symbol, l.close_price)}</code> · ${signedMoney(l.profit ?? 0, currency)}`,
        )
      : [];
  return [
    `🏁 <b>Trade closed</b> — ${escapeHtml(fire.symbol)} ${fire.side} ${lots} lots`,
    ...legLines,
    `P&amp;L ${signedMoney(profit, currency)} ${profit > 0 ? "🎉" : ""}`.trimEnd(),
    `+${xpGained} XP`,
  ].join("\n");
}

/**
 * Legs that closed while the rest of the trade stays open: "🎯 Target hit" when each closed at its
 * take-profit or better (within a point), else "✂️ Leg closed"; each leg's lots, price and money,
 * and what is still open.
 */
export function legsClosedText(fire: FireView, legs: readonly Leg[], currency: string | null): string {
  const point = 10 ** -(DEFAULT_SPECS.get(fire.symbol)?.digits ?? 8);
  const buy = fire.side === "BUY";
  const atTarget = (l: Leg) =>
    l.take_profit !== null &&
    l.close_price !== null &&
    (buy ? l.close_price >= l.take_profit - point : l.close_price <= l.take_profit + point);
  const open = fire.legs.filter((l) => l.state === "filled");
  return [
    `${legs.every(atTarget) ? "🎯 <b>Target hit</b>" : "✂️ <b>Leg closed</b>"} — ${escapeHtml(fire.symbol)} ${fire.side}`,
    ...legs.map(
      (l) =>
        `${legTitle(fire, l)}: ${filledLots(l)} lots closed at <code>${priceText(fire.symbol, l.close_price)}</code> · ${signedMoney(l.profit ?? 0, currency)}`,
    ),
    ...(open.length > 0 ? [`Still open: ${sumLots(open, filledLots)} lots`] : []),
  ].join("\n");
}

/** The signal was cancelled while this trader holds a position on it: it stays open. */
export function cancelledWhileOpenText(fire: FireView): string {
  const open = fire.legs.filter((l) => l.state === "filled");
  return [
    `⛔ <b>Signal cancelled</b> — ${escapeHtml(fire.symbol)} ${fire.side}`,
    `The desk called this trade off. Your position (${sumLots(open, filledLots)} lots) is still open: close it or keep it, in the app or with /trades.`,
  ].join("\n");
}

export function offlineText(lastSeenMs: number, terminalName: string | null = null): string {
  const which = terminalName === null ? "Your MT5 terminal" : `Your terminal <b>${escapeHtml(terminalName)}</b>`;
  return [
    `📴 ${which} went offline at ${utcTime(lastSeenMs)} (last heartbeat).`,
    `${terminalName === null ? "Fires are paused" : "Your fires skip it"} until it reconnects: check that MetaTrader 5 is running and the Sortie EA is on a chart.`,
  ].join("\n");
}

export function backOnlineText(terminalName: string | null = null): string {
  const which = terminalName === null ? "Your MT5 terminal" : `Your terminal <b>${escapeHtml(terminalName)}</b>`;
  return `✅ ${which} is back online. You can fire again.`;
}
