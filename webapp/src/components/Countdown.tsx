import { useEffect, useRef, useState } from "preact/hooks";
import { countdown } from "../format.ts";

/** Seconds left until `deadlineMs`, ticking every second; calls `onExpire` once when it reaches zero. */
export function Countdown({ deadlineMs, onExpire }: { deadlineMs: number; onExpire?: () => void }) {
  const [now, setNow] = useState(Date.now());
  const fired = useRef(false);
  const left = Math.max(0, (deadlineMs - now) / 1000);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  useEffect(() => {
    if (left > 0 || fired.current) return;
    fired.current = true;
    onExpire?.();
  }, [left, onExpire]);
  return (
    <span class={`num countdown${left < 300 ? " countdown-urgent" : ""}`} data-testid="countdown">
      {countdown(left)}
    </span>
  );
}
