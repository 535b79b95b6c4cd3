import "./StatsPanel.css";
import "./StatsScreen.css";
import { useState } from "preact/hooks";
import { useServices } from "../context.ts";
import { percent, pnl } from "../format.ts";
import { useLiveEvent } from "../hooks/useLive.ts";
import { useResource } from "../hooks/useResource.ts";
import type { Performance } from "../types.ts";
import { ErrorPanel } from "./ErrorPanel.tsx";
import { EquityChart, RHistogram } from "./PerformanceCharts.tsx";
import { Skeleton } from "./Skeleton.tsx";

const PERIODS: Array<{ label: string; days: number | undefined }> = [
  { label: "30d", days: 30 },
  { label: "90d", days: 90 },
  { label: "1y", days: 365 },
  { label: "All", days: undefined },
];

/** "+1.6R", "−1R". */
export function rText(r: number | null): string {
  if (r === null) return "—";
  const rounded = Math.round(r * 100) / 100;
  return `${rounded > 0 ? "+" : rounded < 0 ? "−" : ""}${Math.abs(rounded)}R`;
}
const tone = (x: number | null) => (x === null || x === 0 ? "" : x > 0 ? "pos" : "neg");
const winRate = (x: number | null) => (x === null ? "—" : percent(x * 100, 0));

/**
 * The trader's track record (issue #17): headline figures, the equity curve in R and money, the
 * histogram of R multiples, win rate by symbol, best and worst trade. Charts load lazily.
 */
export function StatsScreen() {
  const { api, session } = useServices();
  const [days, setDays] = useState<number | undefined>(undefined);
  const perf = useResource(`performance:${days ?? "all"}`, async () =>
    api.performance(session.user?.id ?? (await api.me()).user.id, days),
  );
  useLiveEvent("user_stats_update", () => void perf.reload(true));

  return (
    <div class="perf" data-testid="stats-screen">
      <h1 class="screen-title">Stats</h1>
      <div class="perf-periods" role="tablist">
        {PERIODS.map((p) => (
          <button
            type="button"
            key={p.label}
            role="tab"
            aria-selected={p.days === days}
            class={`perf-period${p.days === days ? " perf-period-on" : ""}`}
            onClick={() => setDays(p.days)}
          >
            {p.label}
          </button>
        ))}
      </div>
      {perf.data ? (
        <PerformanceView perf={perf.data} />
      ) : perf.error ? (
        <ErrorPanel error={perf.error} onRetry={() => void perf.reload()} />
      ) : (
        <Skeleton blocks={[96, 200, 200]} />
      )}
    </div>
  );
}

function PerformanceView({ perf }: { perf: Performance }) {
  const tiles: Array<[string, string, string]> = [
    ["Result", rText(perf.total_r), tone(perf.total_r)],
    ["Profit", pnl(perf.profit, perf.currency), tone(perf.profit)],
    ["Win rate", winRate(perf.win_rate), ""],
    ["Avg", rText(perf.avg_r), tone(perf.avg_r)],
    ["Max DD", perf.max_drawdown_r === 0 ? "0R" : `−${perf.max_drawdown_r}R`, perf.max_drawdown_r > 0 ? "neg" : ""],
    ["Closed", String(perf.closed), ""],
  ];
  return (
    <>
      <section class="card stats" data-testid="perf-figures">
        <div class="stats-grid">
          {tiles.map(([label, value, cls]) => (
            <div class="stats-tile" key={label}>
              <div class={`num stats-value ${cls}`} data-testid={`perf-${label.toLowerCase().replace(/\s/g, "-")}`}>
                {value}
              </div>
              <div class="hint stats-label">{label}</div>
            </div>
          ))}
        </div>
      </section>
      {perf.closed === 0 ? (
        <p class="card hint">No closed trades in this period yet. Results appear here when your positions close.</p>
      ) : (
        <>
          <EquityChart perf={perf} />
          <RHistogram perf={perf} />
          <section class="card" data-testid="perf-symbols">
            <h2 class="card-title">Win rate by symbol</h2>
            <table class="perf-table">
              <thead>
                <tr>
                  <th>Symbol</th>
                  <th>Trades</th>
                  <th>Win rate</th>
                  <th>Result</th>
                </tr>
              </thead>
              <tbody>
                {perf.by_symbol.map((s) => (
                  <tr key={s.symbol}>
                    <td>{s.symbol}</td>
                    <td class="num">{s.signals}</td>
                    <td class="num">{winRate(s.win_rate)}</td>
                    <td class={`num ${tone(s.total_r)}`}>{rText(s.total_r)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <section class="card perf-extremes" data-testid="perf-extremes">
            <div>
              <span class="hint stats-label">Best trade</span>
              <b class={`num ${tone(perf.best?.r ?? null)}`} data-testid="perf-best">
                {perf.best ? `${perf.best.symbol} ${rText(perf.best.r)}` : "—"}
              </b>
            </div>
            <div>
              <span class="hint stats-label">Worst trade</span>
              {/* A trader whose every trade won has a worst trade that won too: coloured by its sign. */}
              <b class={`num ${tone(perf.worst?.r ?? null)}`} data-testid="perf-worst">
                {perf.worst ? `${perf.worst.symbol} ${rText(perf.worst.r)}` : "—"}
              </b>
            </div>
          </section>
        </>
      )}
    </>
  );
}
