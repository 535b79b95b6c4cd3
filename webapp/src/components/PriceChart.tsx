import "./PriceChart.css";
import { useEffect, useRef, useState } from "preact/hooks";
import { useServices } from "../context.ts";
import type { LiveMission } from "../hooks/useMission.ts";
import type { Candle } from "../types.ts";

type ChartState = "loading" | "ready" | "empty" | "error";

const REFRESH_MS = 15_000;

function cssColor(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return /^#[0-9a-f]{3,8}$/i.test(value) ? value : fallback;
}

/**
 * Candles from the trader's own terminal feed with entry / stop / take-profit lines.
 * lightweight-charts is loaded with import() so it never weighs on the first render.
 */
export function PriceChart({ mission, digits }: { mission: LiveMission; digits: number }) {
  const { api } = useServices();
  const host = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<ChartState>("loading");
  const [attempt, setAttempt] = useState(0);
  const { signal } = mission;

  // The chart is rebuilt only when the levels change (or on retry), not on every mission refresh.
  useEffect(() => {
    let disposed = false;
    let cleanup = () => {};
    (async () => {
      try {
        const [lib, candles] = await Promise.all([
          import("lightweight-charts"),
          api.prices(signal.symbol).catch(() => [] as Candle[]),
        ]);
        if (disposed || !host.current) return;
        const text = cssColor("--tg-theme-hint-color", "#7f8e9d");
        const chart = lib.createChart(host.current, {
          autoSize: true,
          layout: { background: { color: "transparent" }, textColor: text, fontSize: 11, attributionLogo: false },
          grid: { vertLines: { visible: false }, horzLines: { color: "rgba(127,142,157,0.12)" } },
          rightPriceScale: { borderVisible: false },
          timeScale: { borderVisible: false, timeVisible: true, secondsVisible: false },
          // Pan by dragging (touch or mouse) and zoom by pinch or wheel along the time axis; vertical
          // touch drags stay with the page so the Mini App still scrolls.
          handleScroll: { mouseWheel: true, pressedMouseMove: true, horzTouchDrag: true, vertTouchDrag: false },
          handleScale: { mouseWheel: true, pinch: true, axisPressedMouseMove: { time: true, price: false } },
          kineticScroll: { touch: true, mouse: false },
        });
        let fitted = false;
        const levels = [signal.entry, signal.stop_loss, ...signal.take_profit];
        const series = chart.addSeries(lib.CandlestickSeries, {
          upColor: "#21c46b",
          downColor: "#ff4d5e",
          wickUpColor: "#21c46b",
          wickDownColor: "#ff4d5e",
          borderVisible: false,
          priceFormat: { type: "price", precision: digits, minMove: 10 ** -digits },
          // Keep every level on screen, whatever the candles' own range.
          autoscaleInfoProvider: (original: () => { priceRange: { minValue: number; maxValue: number } } | null) => {
            const base = original();
            const prices = base ? [base.priceRange.minValue, base.priceRange.maxValue, ...levels] : levels;
            return { priceRange: { minValue: Math.min(...prices), maxValue: Math.max(...prices) } };
          },
        });
        const line = (price: number, color: string, title: string, style: number) =>
          series.createPriceLine({ price, color, title, lineWidth: 1, lineStyle: style, axisLabelVisible: true });
        line(signal.entry, cssColor("--tg-theme-button-color", "#2ea6ff"), "ENTRY", lib.LineStyle.Solid);
        line(signal.stop_loss, "#ff4d5e", "SL", lib.LineStyle.Dashed);
        signal.take_profit.forEach((tp, i) => {
          line(tp, "#21c46b", signal.take_profit.length > 1 ? `TP${i + 1}` : "TP", lib.LineStyle.Dashed);
        });
        const show = (data: Candle[]) => {
          if (data.length > 0) {
            series.applyOptions({ lastValueVisible: true, priceLineVisible: true });
            series.setData(data.map((c) => ({ ...c, time: c.time as never })));
            setState("ready");
          } else {
            // No feed yet: a single invisible bar gives the scale a range so the level lines still draw.
            const now = Math.floor(Date.now() / 1000);
            const flat = { open: signal.entry, high: signal.entry, low: signal.entry, close: signal.entry };
            series.applyOptions({ lastValueVisible: false, priceLineVisible: false });
            series.setData([{ time: now as never, ...flat, color: "transparent", wickColor: "transparent" }]);
            setState("empty");
          }
          // Fit once: a refresh must not undo the trader's own pan or zoom.
          if (!fitted) chart.timeScale().fitContent();
          fitted = data.length > 0;
        };
        show(candles);
        const timer = setInterval(() => {
          api.prices(signal.symbol).then(
            (next) => !disposed && next.length > 0 && show(next),
            () => {},
          );
        }, REFRESH_MS);
        cleanup = () => {
          clearInterval(timer);
          chart.remove();
        };
      } catch {
        if (!disposed) setState("error");
      }
    })();
    return () => {
      disposed = true;
      cleanup();
    };
  }, [signal.id, signal.entry, signal.stop_loss, signal.take_profit.join(), digits, attempt]);

  return (
    <section class="card chart" data-testid="chart" data-state={state}>
      <h2 class="card-title">Price</h2>
      <div class="chart-host" ref={host} />
      {state === "loading" && <div class="chart-overlay hint">Loading chart…</div>}
      {state === "empty" && <div class="chart-note hint">No live prices from your terminal yet: levels only.</div>}
      {state === "error" && (
        <div class="chart-overlay">
          <span class="hint">Chart unavailable.</span>{" "}
          <button type="button" class="btn" onClick={() => setAttempt((n) => n + 1)}>
            Retry
          </button>
        </div>
      )}
    </section>
  );
}
