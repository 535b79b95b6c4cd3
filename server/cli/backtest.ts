/**
 * `npm run backtest -- --strategy NAME --candles FILE.csv [--spread S] [--symbol SYM]
 *   [--minutes N] [--param key=value …] [--svg OUT.svg]`
 *
 * Replays a candle file through a strategy bar by bar with the engine's own code (core/engine),
 * prints every trade and the summary (win rate, average R, total R, max drawdown in R) and writes
 * the equity curve as SVG. The CSV format is in docs/engine.md (`time,open,high,low,close[,volume]`).
 * `--spread` is in price units (0.0001 = 1 pip on EURUSD); `--symbol` picks the instrument spec
 * (tick size, digits), by default from the file name (`eurusd-m5.csv` → EURUSD).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import {
  type BacktestTrade,
  backtestStats,
  CandleCsvError,
  equityCurveSvg,
  parseCandlesCsv,
  runBacktest,
  STRATEGIES,
} from "../../core/engine/index.ts";
import { canonicalSymbol, DEFAULT_SPECS } from "../../core/instruments/index.ts";

class UsageError extends Error {}

const time = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace("T", " ");
const signedR = (r: number) => `${r >= 0 ? "+" : ""}${r.toFixed(2)} R`;

/** `key=value` → a number, a list of numbers (`1,2`), or the text. */
function paramValue(text: string): unknown {
  if (/^-?[\d.]+(,-?[\d.]+)+$/.test(text)) return text.split(",").map(Number);
  return Number.isFinite(Number(text)) && text.trim() !== "" ? Number(text) : text;
}

function symbolFor(explicit: string | undefined, file: string): string {
  if (explicit) {
    const symbol = canonicalSymbol(explicit);
    if (!symbol) throw new UsageError(`--symbol: unknown symbol ${explicit}`);
    return symbol;
  }
  for (const part of basename(file).split(/[^A-Za-z0-9]+/)) {
    const symbol = canonicalSymbol(part);
    if (symbol) return symbol;
  }
  throw new UsageError("--symbol: not given and not found in the file name (e.g. eurusd-m5.csv)");
}

function tradeLine(trade: BacktestTrade, index: number): string {
  const d = trade.draft;
  return [
    String(index + 1).padStart(3),
    d.side.padEnd(4),
    String(d.entry).padEnd(9),
    `SL ${String(d.stopLoss).padEnd(9)}`,
    `TP ${d.takeProfits.join("/").padEnd(17)}`,
    `in ${time(trade.entryMs)}`,
    `out ${time(trade.exitMs)}`,
    trade.legs
      .map((l) => l.reason)
      .join("/")
      .padEnd(13),
    signedR(trade.r).padStart(9),
  ].join("  ");
}

/** Runs the command line; returns the report text. Throws UsageError or CandleCsvError on bad input. */
export function backtestCommand(argv: string[]): string {
  const { values } = parseArgs({
    args: argv.filter((a) => a !== "--"),
    options: {
      strategy: { type: "string" },
      candles: { type: "string" },
      spread: { type: "string", default: "0" },
      symbol: { type: "string" },
      minutes: { type: "string" },
      param: { type: "string", multiple: true, default: [] },
      svg: { type: "string" },
    },
  });
  const factory = values.strategy ? STRATEGIES[values.strategy] : undefined;
  if (!factory) throw new UsageError(`--strategy: one of ${Object.keys(STRATEGIES).join(", ")}`);
  if (!values.candles) throw new UsageError("--candles: the candle CSV file is required");
  const spread = Number(values.spread);
  if (!Number.isFinite(spread) || spread < 0) throw new UsageError("--spread: a price distance ≥ 0, e.g. 0.0001");
  const params: Record<string, unknown> = {};
  for (const pair of values.param) {
    const [key, value] = pair.split("=", 2);
    if (!key || value === undefined) throw new UsageError(`--param: expected key=value, got ${pair}`);
    params[key] = paramValue(value);
  }
  const strategy = factory(params);
  const symbol = symbolFor(values.symbol, values.candles);
  const spec = DEFAULT_SPECS.get(symbol)!;
  const candles = parseCandlesCsv(readFileSync(values.candles, "utf8"));
  const candleMinutes = values.minutes ? Number(values.minutes) : undefined;
  if (candleMinutes !== undefined && !(candleMinutes > 0)) throw new UsageError("--minutes: minutes per candle, > 0");

  const trades = runBacktest({ strategy, candles, spec, spread, candleMinutes });
  const stats = backtestStats(trades);
  const svgPath = values.svg ?? `${values.candles.replace(/\.csv$/i, "")}.${strategy.name}.equity.svg`;
  const title = `${strategy.name} on ${symbol}: ${stats.trades} trades, ${signedR(stats.totalR)}`;
  writeFileSync(svgPath, equityCurveSvg(stats.equity, title));

  const range =
    candles.length > 0 ? `${time(candles[0]!.t)} → ${time(candles[candles.length - 1]!.t)} UTC` : "no candles";
  const winRate = stats.winRate === null ? "—" : `${(stats.winRate * 100).toFixed(1)} %`;
  const averageR = stats.avgR === null ? "—" : signedR(stats.avgR).replace(" R", "");
  return [
    `${strategy.name} on ${symbol} · ${candles.length} candles (${range}) · spread ${spread}`,
    `parameters ${JSON.stringify(strategy.params)}`,
    "",
    ...trades.map(tradeLine),
    trades.length === 0 ? "(no trades)" : "",
    `trades ${stats.trades} · win rate ${winRate} · average R ${averageR} · total R ${signedR(stats.totalR).replace(" R", "")} · max drawdown ${stats.maxDrawdownR.toFixed(2)} R`,
    `equity curve: ${svgPath}`,
  ].join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  try {
    console.log(backtestCommand(process.argv.slice(2)));
  } catch (err) {
    if (!(err instanceof UsageError || err instanceof CandleCsvError)) throw err;
    console.error(`backtest: ${err.message}`);
    process.exitCode = 2;
  }
}
