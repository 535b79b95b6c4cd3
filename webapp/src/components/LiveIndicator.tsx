import "./LiveIndicator.css";
import { useEffect, useState } from "preact/hooks";
import { useServices } from "../context.ts";
import { useLiveStatus } from "../hooks/useLive.ts";

const LABEL = { live: "LIVE", offline: "OFFLINE", connecting: "CONNECTING" } as const;

/** LIVE / OFFLINE / CONNECTING; while offline it counts down to the next attempt and retries on tap. */
export function LiveIndicator() {
  const { live } = useServices();
  const status = useLiveStatus();
  const [, tick] = useState(0);
  useEffect(() => {
    if (status !== "offline") return;
    const timer = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, [status]);
  const retryIn = live.retryAt ? Math.max(0, Math.ceil((live.retryAt - Date.now()) / 1000)) : null;
  return (
    <button
      type="button"
      class={`live live-${status}`}
      data-testid="live"
      data-status={status}
      title={status === "offline" ? "Tap to reconnect now" : "Live updates"}
      onClick={() => status === "offline" && live.reconnectNow()}
    >
      <span class="live-dot" aria-hidden="true" />
      {LABEL[status]}
      {status === "offline" && retryIn !== null && <span class="live-retry">retry {retryIn}s</span>}
    </button>
  );
}
