import "./PerformanceCharts.css";
import { type ChartLib, type ChartState, cssColor, useChart } from "../hooks/useChart.ts";
import type { Performance } from "../types.ts";

const BASE_OPTIONS = (lib: ChartLib) => ({
  autoSize: true,
  layout: {
    background: { color: "transparent" },
    textColor: cssColor("--tg-theme-hint-color", "#7f8e9d"),
    fontSize: 11,
    attributionLogo: false,
  },
  grid: { vertLines: { visible: false }, horzLines: { color: "rgba(127,142,157,0.12)" } },
  handleScroll: false,
  handleScale: false,
  crosshair: { mode: lib.CrosshairMode.Magnet },
});

/**
 * Chart times must rise strictly: two signals closed in the same second get the next second.
 * Times are UTC seconds.
 */
export function risingSeconds(isoTimes: readonly string[]): number[] {
  const out: number[] = [];
  for (const iso of isoTimes) {
    const s = Math.floor(Date.parse(iso) / 1000);
    out.push(out.length > 0 && s <= out[out.length - 1]! ? out[out.length - 1]! + 1 : s);
  }
  return out;
}

function ChartCard(props: {
  title: string;
  testId: string;
  state: ChartState;
  host: preact.RefObject<HTMLDivElement>;
  retry(): void;
  legend?: preact.ComponentChildren;
}) {
  return (
    <section class="card perf-chart" data-testid={props.testId} data-state={props.state}>
      <h2 class="card-title">{props.title}</h2>
      {props.legend}
      <div class="perf-chart-host" ref={props.host} />
      {props.state === "loading" && <div class="chart-overlay hint">Loading chart…</div>}
      {props.state === "error" && (
        <div class="chart-overlay">
          <span class="hint">Chart unavailable.</span>{" "}
          <button type="button" class="btn" onClick={props.retry}>
            Retry
          </button>
        </div>
      )}
    </section>
  );
}

/** Cumulative result after each closed signal: R on the left scale, money on the right. */
export function EquityChart({ perf }: { perf: Performance }) {
  const key = `${perf.equity_r.length}:${perf.total_r}:${perf.profit}`;
  const { host, state, retry } = useChart(key, (lib, el) => {
    const chart = lib.createChart(el, {
      ...BASE_OPTIONS(lib),
      leftPriceScale: { visible: true, borderVisible: false },
      rightPriceScale: { visible: true, borderVisible: false },
      timeScale: { borderVisible: false, timeVisible: false },
    });
    const times = risingSeconds(perf.equity_r.map((p) => p.t));
    const start = times.length > 0 ? times[0]! - 1 : Math.floor(Date.now() / 1000);
    const rLine = chart.addSeries(lib.LineSeries, {
      color: cssColor("--tg-theme-button-color", "#2ea6ff"),
      lineWidth: 2,
      priceScaleId: "left",
      title: "R",
      priceFormat: { type: "custom", formatter: (r: number) => `${r.toFixed(2)}R`, minMove: 0.01 },
    });
    // Dashed: with one account the money curve has the R curve's shape and would hide it.
    const moneyLine = chart.addSeries(lib.LineSeries, {
      color: "#f5a623",
      lineWidth: 2,
      lineStyle: lib.LineStyle.Dashed,
      priceScaleId: "right",
      title: perf.currency ?? "money",
    });
    // Both curves start from zero just before the first close.
    rLine.setData([
      { time: start as never, value: 0 },
      ...perf.equity_r.map((p, i) => ({ time: times[i] as never, value: p.r })),
    ]);
    moneyLine.setData([
      { time: start as never, value: 0 },
      ...perf.equity_profit.map((p, i) => ({ time: times[i] as never, value: p.profit })),
    ]);
    chart.timeScale().fitContent();
    return () => chart.remove();
  });
  const legend = (
    <p class="hint perf-legend">
      <span class="perf-key perf-key-r" /> R <span class="perf-key perf-key-money" /> {perf.currency ?? "money"}
    </p>
  );
  return <ChartCard title="Equity curve" testId="equity-chart" {...{ state, host, retry, legend }} />;
}

/** How many closed signals ended at each R multiple, in half-R buckets (price-scale x axis). */
export function RHistogram({ perf }: { perf: Performance }) {
  const key = perf.r_histogram.map((b) => `${b.from}:${b.count}`).join();
  const { host, state, retry } = useChart(key, (lib, el) => {
    // An "options" chart: its horizontal scale is a number (here R), not time.
    const chart = lib.createOptionsChart(el, {
      ...BASE_OPTIONS(lib),
      rightPriceScale: { borderVisible: false },
      timeScale: { borderVisible: false },
      // The horizontal scale is R: bucket starts to one decimal (−1.0, 0.5, 1.5…).
      localization: { precision: 1 },
    });
    const series = chart.addSeries(lib.HistogramSeries, {
      priceFormat: { type: "custom", formatter: (n: number) => String(Math.round(n)), minMove: 1 },
      priceLineVisible: false,
      lastValueVisible: false,
    });
    series.setData(
      perf.r_histogram.map((b) => ({
        time: b.from,
        value: b.count,
        color: b.from >= 0 ? "#21c46b" : "#ff4d5e",
      })),
    );
    chart.timeScale().fitContent();
    return () => chart.remove();
  });
  return <ChartCard title="R multiples" testId="r-histogram" {...{ state, host, retry }} />;
}
