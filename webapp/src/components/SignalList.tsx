import "./SignalList.css";
import { useServices } from "../context.ts";
import { countdown, price, priceDigits } from "../format.ts";
import { useInterval, useLiveEvent, useLiveStatus } from "../hooks/useLive.ts";
import { useResource } from "../hooks/useResource.ts";
import { haptic } from "../telegram.ts";
import { ErrorPanel } from "./ErrorPanel.tsx";
import { Icon } from "./Icon.tsx";
import { Skeleton } from "./Skeleton.tsx";

/** Active signals, newest first; tap one to open its briefing. */
export function SignalList({ onOpen }: { onOpen(id: string): void }) {
  const { api } = useServices();
  const status = useLiveStatus();
  const { data, error, loading, reload } = useResource("signals", () => api.signals());
  useLiveEvent("mission_status_update", () => void reload(true));
  useLiveEvent("signal_created", () => void reload(true));
  useInterval(data !== null, status === "live" ? 30_000 : 5_000, () => void reload(true));

  if (!data) {
    if (error) return <ErrorPanel error={error} onRetry={() => void reload()} />;
    return loading ? <Skeleton blocks={[84, 84, 84]} /> : null;
  }
  const now = Date.now();
  return (
    <section class="signals" data-testid="signals">
      <h1 class="screen-title">Active signals</h1>
      {data.length === 0 && <p class="card hint signals-empty">No active signals right now. New ones appear here.</p>}
      {data.map((signal) => {
        const digits = priceDigits(signal);
        const left = (Date.parse(signal.expires_at) - now) / 1000;
        return (
          <button
            type="button"
            key={signal.id}
            class="card signal-item"
            data-testid="signal-item"
            onClick={() => {
              haptic.select();
              onOpen(signal.id);
            }}
          >
            <div class="signal-top">
              <b class="signal-symbol">{signal.symbol}</b>
              <span class={`signal-side signal-${signal.side.toLowerCase()}`}>{signal.side}</span>
              <span class="hint num signal-left">{left > 0 ? countdown(left) : "expired"}</span>
            </div>
            <div class="signal-levels num">
              <span>@ {price(signal.entry, digits)}</span>
              <span class="signal-sl">SL {price(signal.stop_loss, digits)}</span>
              <span class="signal-tp">TP {price(signal.take_profit[0], digits)}</span>
              {signal.shield_score !== null && (
                <span class="hint">
                  <Icon name="shield" size={12} /> {signal.shield_score.toFixed(1)}
                </span>
              )}
            </div>
          </button>
        );
      })}
    </section>
  );
}
