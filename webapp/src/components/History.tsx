import "./History.css";
import { useServices } from "../context.ts";
import { dateTime, lots, pnl, price, priceDigits } from "../format.ts";
import { useLiveEvent } from "../hooks/useLive.ts";
import { useResource } from "../hooks/useResource.ts";
import type { Stats } from "../types.ts";
import { ErrorPanel } from "./ErrorPanel.tsx";
import { Skeleton } from "./Skeleton.tsx";
import { StatsPanel } from "./StatsPanel.tsx";

/** Trade history with P&L, and the trader's stats. */
export function History() {
  const { api, session } = useServices();
  const fires = useResource("fires", () => api.fires(50));
  // The stats endpoint is per user id; /api/me also gives the account currency for the P&L figures.
  const stats = useResource("stats", async () => {
    const me = await api.me();
    return { stats: await api.stats(session.user?.id ?? me.user.id), currency: me.user.currency };
  });
  useLiveEvent("fire_update", () => void fires.reload(true));
  useLiveEvent<{ stats: Stats }>("user_stats_update", (event) =>
    stats.setData((current) => (current ? { ...current, stats: event.stats } : current)),
  );
  const currency = stats.data?.currency ?? null;
  return (
    <div class="history" data-testid="history">
      <h1 class="screen-title">History</h1>
      {stats.data ? (
        <StatsPanel stats={stats.data.stats} currency={currency} />
      ) : stats.error ? (
        <ErrorPanel error={stats.error} onRetry={() => void stats.reload()} />
      ) : (
        <Skeleton blocks={[96]} />
      )}
      {fires.error && !fires.data && <ErrorPanel error={fires.error} onRetry={() => void fires.reload()} />}
      {!fires.data && !fires.error && <Skeleton blocks={[60, 60, 60]} />}
      {fires.data?.length === 0 && <p class="card hint history-empty">No trades yet. Fire a mission to see it here.</p>}
      {fires.data && fires.data.length > 0 && (
        <ul class="card history-list">
          {fires.data.map((fire) => {
            const digits = fire.signal ? priceDigits(fire.signal) : 5;
            return (
              <li key={fire.id} class="history-item" data-testid="history-item" data-state={fire.state}>
                <div class="history-main">
                  <b>{fire.symbol}</b>
                  <span class={`history-side history-${fire.side.toLowerCase()}`}>{fire.side}</span>
                  <span class="num">{lots(fire.lots)} lots</span>
                  <span class={`history-state history-state-${fire.state}`}>{fire.state}</span>
                </div>
                <div class="history-sub">
                  <span class="hint">{dateTime(fire.created_at)}</span>
                  {fire.fill_price !== null && <span class="num hint">@ {price(fire.fill_price, digits)}</span>}
                  {fire.profit !== null && (
                    <span class={`num history-pnl ${fire.profit >= 0 ? "pos" : "neg"}`}>
                      {pnl(fire.profit, currency)}
                    </span>
                  )}
                  {fire.message && fire.state !== "filled" && <span class="hint">{fire.message}</span>}
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
