import { DEFAULT_SPECS } from "../../core/instruments/index.ts";
import { roundTo } from "../../core/money.ts";
import type { FireTerminalView, FireView } from "../../db/rows.ts";
import { escapeHtml } from "./common.ts";

const WORD: Record<string, string> = { rejected: "rejected", failed: "failed", expired: "expired" };

/** "IC Markets: filled 0.40 @ 1.08512", "FTMO: rejected — market closed", "Spare: skipped — offline". */
export function terminalPartText(fire: FireView, t: FireTerminalView): string {
  const name = escapeHtml(t.name);
  if (t.status === "skipped") return `${name}: skipped — ${escapeHtml(t.reason ?? "not traded")}`;
  if (t.state === "filled" || t.state === "closed") {
    const digits = DEFAULT_SPECS.get(fire.symbol)?.digits ?? 8;
    const lots = (t.filled_volume ?? t.lots).toFixed(2);
    return `${name}: filled ${lots} @ ${t.fill_price === null ? "market" : roundTo(t.fill_price, digits).toFixed(digits)}`;
  }
  if (t.state === "queued" || t.state === "delivered") return `${name}: ⏳ no answer yet`;
  return `${name}: ${WORD[t.state] ?? t.state} — ${escapeHtml(t.message ?? "no reason given by the terminal")}`;
}

/**
 * The fill report of a fire over several terminals: one title, then each terminal's part on one
 * line joined by " · " (what filled where, what was refused and why, which were skipped).
 */
export function terminalsReportText(fire: FireView): string {
  const parts = fire.terminals ?? [];
  const sent = parts.filter((t) => t.status === "sent");
  const filled = sent.filter((t) => t.state === "filled" || t.state === "closed");
  const title =
    filled.length === 0
      ? "❌ <b>Not filled</b>"
      : filled.length === sent.length && sent.length === parts.length
        ? "✅ <b>Filled</b>"
        : "⚠️ <b>Partly filled</b>";
  return [
    `${title} — ${escapeHtml(fire.symbol)} ${fire.side}`,
    parts.map((t) => terminalPartText(fire, t)).join(" · "),
  ].join("\n");
}
