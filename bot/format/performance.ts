import type { PeriodRow, TrackRecordBody } from "../../core/track-record/index.ts";
import type { PerformanceView } from "../../server/services/track-record/index.ts";
import { escapeHtml, signedMoney } from "./common.ts";
import { rText } from "./result.ts";

const percent = (x: number | null) => (x === null ? "—" : `${(x * 100).toFixed(1)}%`);
const periodName = (days: number | null) => (days === null ? "all time" : `last ${days} days`);

/** `/profit`: a trader's performance, the same numbers as `GET /api/users/:id/performance`. */
export function profitText(p: PerformanceView): string {
  if (p.closed === 0) {
    return `💰 <b>Profit</b> (${periodName(p.days)})\nNo closed trades yet${p.signals > 0 ? ` (${p.signals} still open or unfilled)` : ""}.`;
  }
  const pick = (c: PerformanceView["best"]) => (c ? `${escapeHtml(c.symbol)} ${rText(c.r)}` : "—");
  return [
    `💰 <b>Profit</b> (${periodName(p.days)})`,
    `Closed trades: ${p.closed} · win rate ${percent(p.win_rate)}`,
    `Total: <b>${rText(p.total_r)}</b> · average ${p.avg_r === null ? "—" : rText(p.avg_r)} · max drawdown ${p.max_drawdown_r}R`,
    `Profit: <b>${signedMoney(p.profit, p.currency)}</b>`,
    `Best: ${pick(p.best)} · worst: ${pick(p.worst)}`,
  ].join("\n");
}

/** `/daily`, `/weekly`: one line per period, newest first (freqtrade's habit). */
export function periodText(
  title: string,
  rows: readonly PeriodRow[],
  currency: string | null,
  label: (row: PeriodRow) => string,
): string {
  const lines = rows.map((row) =>
    row.closed === 0
      ? `<code>${label(row)}</code> —`
      : `<code>${label(row)}</code> ${row.closed} closed · ${rText(row.r)} · ${signedMoney(row.profit, currency)}`,
  );
  return [`📅 <b>${title}</b>`, ...lines].join("\n");
}

/** The weekly summary DM about the week that just ended. */
export function weeklySummaryText(row: PeriodRow, currency: string | null): string {
  const from = new Date(row.startMs).toISOString().slice(0, 10);
  return [
    `🗓 <b>Your week</b> (from ${from})`,
    `Closed trades: ${row.closed} · wins ${row.wins}`,
    `Result: <b>${rText(row.r)}</b> · ${signedMoney(row.profit, currency)}`,
    "",
    "<i>/profit for all time · /weekly off to stop these summaries</i>",
  ].join("\n");
}

/** `/report`: the channel's record as a short post. */
export function channelReportText(record: TrackRecordBody): string {
  const symbols = record.by_symbol
    .slice(0, 6)
    .map((s) => `• ${escapeHtml(s.symbol)}: ${s.signals} signals · win ${percent(s.win_rate)} · ${rText(s.total_r)}`);
  return [
    `📈 <b>Track record</b> (${periodName(record.days)})`,
    `Signals: ${record.signals} · closed ${record.closed}`,
    `Win rate ${percent(record.win_rate)} · average ${record.avg_r === null ? "—" : rText(record.avg_r)}`,
    `Total <b>${rText(record.total_r)}</b> · max drawdown ${record.max_drawdown_r}R`,
    ...(symbols.length > 0 ? ["", ...symbols] : []),
  ].join("\n");
}
