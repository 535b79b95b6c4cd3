import { DEFAULT_TIER } from "../../core/tiers.ts";
import type { Signal } from "../../core/types.ts";
import { escapeHtml, ratio, riskReward, utcTime } from "./common.ts";

export type AlertState = "live" | "expired" | "cancelled";

const SIDE_ICON = { BUY: "🟢", SELL: "🔴" } as const;

/** The signal's trade plan lines (shared by the group alert and the admin's wizard preview). */
export function signalLines(signal: Omit<Signal, "id" | "status" | "created_at" | "cancelled_at" | "source">) {
  const tps = signal.take_profit.map(
    (tp, i) =>
      `TP${signal.take_profit.length > 1 ? i + 1 : ""} <code>${tp}</code> (R:R ${ratio(riskReward(signal.entry, signal.stop_loss, tp))})`,
  );
  const quality = [
    signal.confidence === null ? null : `Confidence ${signal.confidence}%`,
    signal.shield_score === null ? null : `Quality ${signal.shield_score}/10`,
  ].filter((s) => s !== null);
  const setup = [
    signal.pattern ? escapeHtml(words(signal.pattern)) : null,
    signal.session ? `${escapeHtml(words(signal.session))} session` : null,
  ].filter((s) => s !== null);
  return [
    `${SIDE_ICON[signal.side]} <b>${escapeHtml(signal.symbol)} ${signal.side}</b>`,
    `Entry <code>${signal.entry}</code> · Stop <code>${signal.stop_loss}</code>`,
    ...tps,
    ...(quality.length > 0 ? [quality.join(" · ")] : []),
    ...(setup.length > 0 ? [setup.join(" · ")] : []),
    ...(signal.shield_notes ? [`<i>${escapeHtml(signal.shield_notes)}</i>`] : []),
    // Who may fire it, when not everyone: the others would only find out by tapping.
    ...(signal.min_tier !== DEFAULT_TIER ? [`🎖 ${signal.min_tier} and above`] : []),
  ];
}

/** LIQUIDITY_SWEEP_REVERSAL → "Liquidity sweep reversal". */
const words = (code: string) => {
  const text = code.replace(/_/g, " ").trim().toLowerCase();
  return text.charAt(0).toUpperCase() + text.slice(1);
};

/**
 * A group alert: the plan, quality, expiry and the live fire count. Once the signal expired or
 * was cancelled the header says so (and the caller removes the button).
 */
export function alertText(signal: Signal, fireCount: number, state: AlertState, nowMs: number): string {
  const header =
    state === "cancelled"
      ? ["⛔ <b>CANCELLED</b> — do not open this trade"]
      : state === "expired"
        ? ["⌛ <b>EXPIRED</b>"]
        : [];
  const expiry =
    state === "live"
      ? `⏳ Expires ${utcTime(signal.expires_at)}` // absolute: the alert is only edited when the count moves
      : state === "cancelled"
        ? `Cancelled ${utcTime(signal.cancelled_at ?? nowMs)}`
        : `Expired ${utcTime(signal.expires_at)}`;
  return [
    ...header,
    ...signalLines(signal),
    expiry,
    `🔥 ${fireCount} ${fireCount === 1 ? "trader" : "traders"} fired`,
  ].join("\n");
}
