import { useEffect, useRef, useState } from "preact/hooks";
import { useServices } from "../context.ts";
import type { LiveStatus } from "../live.ts";

export function useLiveStatus(): LiveStatus {
  const { live } = useServices();
  const [status, setStatus] = useState(live.status);
  useEffect(() => {
    setStatus(live.status);
    return live.onStatus(setStatus);
  }, [live]);
  return status;
}

/** Calls `handler` for each live event of that name; the latest handler is always used. */
export function useLiveEvent<T>(event: string, handler: (data: T) => void): void {
  const { live } = useServices();
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => live.on(event, (data) => latest.current(data as T)), [live, event]);
}

/** Runs `tick` every `ms` while `active`. */
export function useInterval(active: boolean, ms: number, tick: () => void): void {
  const latest = useRef(tick);
  latest.current = tick;
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => latest.current(), ms);
    return () => clearInterval(timer);
  }, [active, ms]);
}
