import { DEFAULT_SPECS } from "../../core/instruments/index.ts";
import { roundTo } from "../../core/money.ts";
import type { FireTerminalView, FireView } from "../../db/rows.ts";
import { escapeHtml } from "./common.ts";

const WORD: Record<string, string> = { rejected: "rejected", failed: "failed", expired: "expired" };

type Leg = FireView["legs"][number];

const FILLED = new Set(["filled", "closed"]);
const REFUSED = new Set(["rejected", "failed", "expired"]);
/** The legs that went to terminal `t`. */
const legsOf = (fire: FireView, t: FireTerminalView) => fire.legs.filter((l) => l.bridge_user_id === t.bridge_user_id);
/** A leg filled for less than it asked (the terminal's partial fill). */
const short = (l: Leg) => FILLED.has(l.state) && l.filled_volume != null && l.filled_volume < l.volume - 1e-9;

/**
 * "IC Markets: filled 0.40 @ 1.08512", "FTMO: filled 0.26 of 0.50 @ 1.08692 (leg 3 rejected — not
 * enough money)", "FTMO: rejected — market closed", "Spare: skipped — offline".
 */
export function terminalPartText(fire: FireView, t: FireTerminalView): string {
  const name = escapeHtml(t.name);
  if (t.status === "skipped") return `${name}: skipped — ${escapeHtml(t.reason ?? "not traded")}`;
  if (t.state === "filled" || t.state === "closed") {
    const digits = DEFAULT_SPECS.get(fire.symbol)?.digits ?? 8;
    const legs = legsOf(fire, t);
    const lots = (t.filled_volume ?? t.lots).toFixed(2);
    const asked = legs.reduce((sum, l) => sum + l.volume, 0);
    const whole = legs.every((l) => FILLED.has(l.state) && !short(l));
    const price = t.fill_price === null ? "market" : roundTo(t.fill_price, digits).toFixed(digits);
    const missing = legs
      .filter((l) => !FILLED.has(l.state))
      .map((l) =>
        REFUSED.has(l.state)
          ? `leg ${l.leg} ${WORD[l.state]} — ${escapeHtml(l.message ?? "no reason given by the terminal")}`
          : `leg ${l.leg} ⏳ no answer yet`,
      );
    return `${name}: filled ${lots}${whole ? "" : ` of ${asked.toFixed(2)}`} @ ${price}${missing.length > 0 ? ` (${missing.join("; ")})` : ""}`;
  }
  if (t.state === "queued" || t.state === "delivered") return `${name}: ⏳ no answer yet`;
  return `${name}: ${WORD[t.state] ?? t.state} — ${escapeHtml(t.message ?? "no reason given by the terminal")}`;
}

/**
 * The fill report of a fire over several terminals: one title, then each terminal's part on one
 * line joined by " · " (what filled where, what was refused and why, which were skipped). "Filled"
 * only when every terminal filled every leg in full.
 */
export function terminalsReportText(fire: FireView): string {
  const parts = fire.terminals ?? [];
  const sent = parts.filter((t) => t.status === "sent");
  const filled = sent.filter((t) => t.state === "filled" || t.state === "closed");
  const sentLegs = sent.flatMap((t) => legsOf(fire, t));
  const complete =
    sent.length === parts.length && sentLegs.length > 0 && sentLegs.every((l) => FILLED.has(l.state) && !short(l));
  const title = filled.length === 0 ? "❌ <b>Not filled</b>" : complete ? "✅ <b>Filled</b>" : "⚠️ <b>Partly filled</b>";
  return [
    `${title} — ${escapeHtml(fire.symbol)} ${fire.side}`,
    parts.map((t) => terminalPartText(fire, t)).join(" · "),
  ].join("\n");
}
