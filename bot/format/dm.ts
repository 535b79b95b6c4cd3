import type { FireView } from "../../db/rows.ts";
import { escapeHtml, signedMoney, utcTime } from "./common.ts";

const trade = (fire: FireView) => `${escapeHtml(fire.symbol)} ${fire.side} ${fire.lots} lots`;

/** "✅ Filled": price, lots, slippage. */
export function filledText(fire: FireView): string {
  const filledLots = fire.legs.filter((l) => l.state === "filled").reduce((sum, l) => sum + (l.volume ?? 0), 0);
  return [
    `✅ <b>Filled</b> — ${escapeHtml(fire.symbol)} ${fire.side}`,
    `${Number(filledLots.toFixed(2)) || fire.lots} lots at <code>${fire.fill_price ?? "market"}</code>`,
    ...(fire.slippage_pips === null ? [] : [`Slippage ${fire.slippage_pips} pips`]),
  ].join("\n");
}

const REFUSAL_TITLE: Record<string, string> = {
  rejected: "❌ <b>Order rejected</b>",
  failed: "⚠️ <b>Order failed</b>",
  expired: "⌛ <b>Order expired</b>",
};

/** "❌ Order rejected" with the plain-language reason the bridge gave. */
export function refusedText(fire: FireView): string {
  const reason = fire.message ?? fire.legs.find((l) => l.message)?.message ?? "no reason given by the terminal";
  return [`${REFUSAL_TITLE[fire.state] ?? "❌ <b>Order not filled</b>"} — ${trade(fire)}`, escapeHtml(reason)].join(
    "\n",
  );
}

/** "🏁 Trade closed": P&L and XP gained. */
export function closedText(fire: FireView, currency: string | null, xpGained: number): string {
  const profit = fire.profit ?? 0;
  return [
    `🏁 <b>Trade closed</b> — ${trade(fire)}`,
    `P&amp;L ${signedMoney(profit, currency)} ${profit > 0 ? "🎉" : ""}`.trimEnd(),
    `+${xpGained} XP`,
  ].join("\n");
}

export function offlineText(lastSeenMs: number): string {
  return [
    `📴 Your MT5 terminal went offline at ${utcTime(lastSeenMs)} (last heartbeat).`,
    "Fires are paused until it reconnects: check that MetaTrader 5 is running and the Sortie EA is on a chart.",
  ].join("\n");
}

export function backOnlineText(): string {
  return "✅ Your MT5 terminal is back online. You can fire again.";
}
