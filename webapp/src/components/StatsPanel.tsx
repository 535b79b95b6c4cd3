import "./StatsPanel.css";
import { percent, pnl } from "../format.ts";
import type { Stats } from "../types.ts";

const tone = (value: number | undefined) => ((value ?? 0) >= 0 ? "pos" : "neg");

/** Trades, win rate, P&L (all time and 7 days), XP and rank. */
export function StatsPanel({ stats, currency }: { stats: Stats; currency: string | null }) {
  const money: Array<[string, string, string]> = [
    ["P&L", pnl(stats.pnl, currency), tone(stats.pnl)],
    ["Last 7 days", pnl(stats.pnl_7d ?? null, currency), tone(stats.pnl_7d)],
  ];
  const counts: Array<[string, string]> = [
    ["Trades", String(stats.trades)],
    ["Win rate", percent(stats.win_rate, 0)],
    ["XP", String(stats.xp ?? 0)],
  ];
  return (
    <section class="card stats" data-testid="stats">
      <div class="stats-grid stats-money">
        {money.map(([label, value, cls]) => (
          <div class="stats-tile" key={label}>
            <div class={`num stats-value stats-big ${cls}`}>{value}</div>
            <div class="hint stats-label">{label}</div>
          </div>
        ))}
      </div>
      <div class="stats-grid">
        {counts.map(([label, value]) => (
          <div class="stats-tile" key={label}>
            <div class="num stats-value">{value}</div>
            <div class="hint stats-label">{label}</div>
          </div>
        ))}
      </div>
      <p class="hint stats-foot">
        {stats.rank ? (
          <>
            Rank <b class="stats-rank">{stats.rank}</b> ·{" "}
          </>
        ) : null}
        {stats.wins} won · {stats.losses} lost
      </p>
    </section>
  );
}
