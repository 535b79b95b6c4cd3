import { useEffect, useRef, useState } from "preact/hooks";

export type ChartLib = typeof import("lightweight-charts");
export type ChartState = "loading" | "ready" | "error";

/** A theme colour from Telegram's CSS variables, or `fallback` when it is not a hex colour. */
export function cssColor(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return /^#[0-9a-f]{3,8}$/i.test(value) ? value : fallback;
}

/**
 * Draws a chart into the returned host element with lightweight-charts loaded by import(), so the
 * library is fetched only when a chart is shown (never on the first render). `draw` returns the
 * chart's cleanup; it runs again when `key` changes.
 */
export function useChart(key: string, draw: (lib: ChartLib, host: HTMLDivElement) => () => void) {
  const host = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<ChartState>("loading");
  const [attempt, setAttempt] = useState(0);
  const drawRef = useRef(draw);
  drawRef.current = draw;

  // `key` and `attempt` are the redraw triggers by design.
  useEffect(() => {
    let disposed = false;
    let cleanup = () => {};
    setState("loading");
    import("lightweight-charts").then(
      (lib) => {
        if (disposed || !host.current) return;
        try {
          cleanup = drawRef.current(lib, host.current);
          setState("ready");
        } catch {
          setState("error");
        }
      },
      () => !disposed && setState("error"),
    );
    return () => {
      disposed = true;
      cleanup();
    };
  }, [key, attempt]);

  return { host, state, retry: () => setAttempt((n) => n + 1) };
}
