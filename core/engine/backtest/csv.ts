import type { Candle } from "../candles.ts";

/** A line of the candle CSV that cannot be read: names the line and the field. */
export class CandleCsvError extends Error {
  constructor(
    readonly line: number,
    readonly field: string,
    message: string,
  ) {
    super(`line ${line}: ${field}: ${message}`);
    this.name = "CandleCsvError";
  }
}

const FIELDS = ["time", "open", "high", "low", "close", "volume"] as const;

function parseTime(text: string, line: number): number {
  if (/^\d+(\.\d+)?$/.test(text)) {
    const n = Number(text);
    // Epoch seconds (10 digits today) or milliseconds (13): below 1e11 it can only be seconds.
    return n < 1e11 ? n * 1000 : n;
  }
  const ms = Date.parse(text);
  if (!Number.isFinite(ms))
    throw new CandleCsvError(line, "time", `${JSON.stringify(text)} is neither ISO 8601 nor epoch seconds/ms`);
  return ms;
}

/**
 * Candles from CSV text: `time,open,high,low,close[,volume]`, one candle per line, oldest first.
 * `time` is the candle's OPEN time, ISO 8601 (`2026-11-20T09:00:00Z`; no zone means UTC) or epoch
 * seconds or milliseconds. An optional header line starting with `time` is skipped, as are blank
 * lines and lines starting with `#`. Prices are BID. Checked: numbers finite and > 0, low ≤ open,
 * close ≤ high, times strictly increasing. The first bad line throws `CandleCsvError`.
 */
export function parseCandlesCsv(text: string): Candle[] {
  const candles: Candle[] = [];
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index]!.trim();
    const line = index + 1;
    if (raw === "" || raw.startsWith("#") || (candles.length === 0 && /^time\b/i.test(raw))) continue;
    const cells = raw.split(",").map((c) => c.trim());
    if (cells.length < 5 || cells.length > 6) {
      throw new CandleCsvError(line, "columns", `expected 5 or 6 columns (${FIELDS.join(",")}), got ${cells.length}`);
    }
    // A date-time without a zone is UTC here (Date.parse would read it in the machine's zone).
    const zoneless = /^\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(cells[0]!);
    const t = parseTime(zoneless ? `${cells[0]!.replace(" ", "T")}Z` : cells[0]!, line);
    const numbers = cells.slice(1).map((cell, i) => {
      const n = Number(cell);
      const field = FIELDS[i + 1]!;
      if (cell === "" || !Number.isFinite(n))
        throw new CandleCsvError(line, field, `${JSON.stringify(cell)} is not a number`);
      if (field !== "volume" ? n <= 0 : n < 0)
        throw new CandleCsvError(line, field, `${n} must be ${field === "volume" ? "≥ 0" : "> 0"}`);
      return n;
    });
    const [open, high, low, close, volume = 0] = numbers as [number, number, number, number, number?];
    if (high < Math.max(open, close, low))
      throw new CandleCsvError(line, "high", `${high} is below open, close or low`);
    if (low > Math.min(open, close)) throw new CandleCsvError(line, "low", `${low} is above open or close`);
    const previous = candles[candles.length - 1];
    if (previous && t <= previous.t) throw new CandleCsvError(line, "time", "times must increase strictly");
    candles.push({ t, open, high, low, close, volume });
  }
  return candles;
}
