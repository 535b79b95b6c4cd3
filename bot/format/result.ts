import type { Signal } from "../../core/types.ts";
import type { SignalResultRow } from "../../db/queries/track-record/index.ts";
import { escapeHtml } from "./common.ts";

/** "+1.6R", "−1R", "0R": at most 2 decimals, trailing zeros dropped, a real minus sign. */
export function rText(r: number): string {
  const rounded = Math.round(r * 100) / 100;
  const sign = rounded > 0 ? "+" : rounded < 0 ? "−" : "";
  return `${sign}${String(Math.abs(rounded))}R`;
}

/** The alert's status line once its signal settled: ✅ +1.6R / ❌ −1R / ➖ 0R / ⏹ expired. */
export function resultStatusLine(signal: Pick<Signal, "status">, result: Pick<SignalResultRow, "outcome" | "r">) {
  if (result.outcome === "void" || result.r === null) {
    return signal.status === "cancelled" ? "⏹ <b>cancelled</b>" : "⏹ <b>expired</b>";
  }
  const icon = result.outcome === "win" ? "✅" : result.outcome === "loss" ? "❌" : "➖";
  return `${icon} <b>${rText(result.r)}</b>`;
}

/** The alert's text with the result as its status line (in place of the "EXPIRED" header). */
export function alertWithResult(alertHtml: string, statusLine: string): string {
  const lines = alertHtml.split("\n");
  if (lines[0] === "⌛ <b>EXPIRED</b>") lines.shift();
  return [statusLine, ...lines].join("\n");
}

/** The reply under the alert: result in R, fired / filled / rejected, slippage and fire→fill time. */
export function resultReply(signal: Signal, result: SignalResultRow): string {
  const title = `📊 <b>${escapeHtml(signal.symbol)} ${signal.side} — result</b>`;
  const unfilled = result.fired - result.filled - result.rejected;
  const counts = [
    `🔥 Fired ${result.fired}`,
    `filled ${result.filled}`,
    `rejected ${result.rejected}`,
    ...(unfilled > 0 ? [`unfilled ${unfilled}`] : []),
  ].join(" · ");
  if (result.outcome === "void" || result.r === null) {
    const why = result.fired === 0 ? "Nobody fired it" : "No position was filled";
    return [title, `${resultStatusLine(signal, result)} — ${why}.`, counts].join("\n");
  }
  const slippage = result.avg_slippage_pips === null ? "—" : `${result.avg_slippage_pips.toFixed(1)} pips`;
  const latency = result.avg_fill_latency_ms === null ? "—" : latencyText(result.avg_fill_latency_ms);
  return [
    title,
    `Result: ${resultStatusLine(signal, result)}`,
    counts,
    `Avg slippage ${slippage} · avg fire→fill ${latency}`,
  ].join("\n");
}

/** "840 ms", "2.4 s", "3 min". */
function latencyText(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.round(ms / 60_000)} min`;
}
