/**
 * Candles and the read-only window strategies see. Columnar (one Float64Array per field) so that
 * strategies read prices without allocating, and a ring so memory per symbol is fixed.
 */

/** One OHLC candle on the BID price (MetaTrader's convention). `t` is its OPEN time, epoch ms. */
export interface Candle {
  t: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Ticks seen in the candle (live), or the CSV's volume column (backtest); 0 when unknown. */
  volume: number;
}

/** Minutes per candle: 1 (M1), 5, 15, 30, 60, 240, 1440. Must divide a day. */
export type TimeframeMinutes = number;

export const MINUTE_MS = 60_000;

/** Thrown when a strategy reads a candle that is not a closed candle up to now. */
export class LookaheadError extends Error {
  constructor(index: number, length: number) {
    super(`candle ${index} is outside the ${length} closed candles up to now (no lookahead)`);
    this.name = "LookaheadError";
  }
}

/**
 * The closed candles up to now, oldest first: index 0 is the oldest kept, `length − 1` the last
 * closed one. There is nothing after it, structurally: the columns are private (`#`) and every
 * accessor throws `LookaheadError` for an index ≥ `length`. A window is a view: read it
 * synchronously, before more candles are pushed into its ring.
 */
export class CandleWindow {
  readonly #columns: Columns;
  readonly #head: number;
  readonly #capacity: number;
  readonly length: number;

  constructor(columns: Columns, head: number, length: number) {
    this.#columns = columns;
    this.#head = head;
    this.#capacity = columns.t.length;
    this.length = length;
  }

  #slot(index: number): number {
    if (!(index >= 0 && index < this.length) || !Number.isInteger(index)) throw new LookaheadError(index, this.length);
    const slot = this.#head + index;
    return slot >= this.#capacity ? slot - this.#capacity : slot;
  }

  time(i: number): number {
    return this.#columns.t[this.#slot(i)]!;
  }
  open(i: number): number {
    return this.#columns.open[this.#slot(i)]!;
  }
  high(i: number): number {
    return this.#columns.high[this.#slot(i)]!;
  }
  low(i: number): number {
    return this.#columns.low[this.#slot(i)]!;
  }
  close(i: number): number {
    return this.#columns.close[this.#slot(i)]!;
  }
  volume(i: number): number {
    return this.#columns.volume[this.#slot(i)]!;
  }
  /** The candle at `i` as an object (allocates: prefer the column accessors in loops). */
  candle(i: number): Candle {
    const s = this.#slot(i);
    const c = this.#columns;
    return { t: c.t[s]!, open: c.open[s]!, high: c.high[s]!, low: c.low[s]!, close: c.close[s]!, volume: c.volume[s]! };
  }
}

/** Column storage shared by rings and backtest series. */
export interface Columns {
  t: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

function allocate(capacity: number): Columns {
  return {
    t: new Float64Array(capacity),
    open: new Float64Array(capacity),
    high: new Float64Array(capacity),
    low: new Float64Array(capacity),
    close: new Float64Array(capacity),
    volume: new Float64Array(capacity),
  };
}

/**
 * The last `capacity` closed candles of one symbol and timeframe. Memory is fixed at creation:
 * 6 columns × 8 bytes × capacity (600 candles = 28.8 KB). Pushing past capacity drops the oldest.
 */
export class CandleRing {
  readonly #columns: Columns;
  #head = 0;
  #length = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError("capacity must be a positive integer");
    this.#columns = allocate(capacity);
  }

  get length(): number {
    return this.#length;
  }

  /** Appends a closed candle, overwriting the oldest when full. */
  push(candle: Candle): void {
    let slot = this.#head + this.#length;
    if (slot >= this.capacity) slot -= this.capacity;
    const c = this.#columns;
    c.t[slot] = candle.t;
    c.open[slot] = candle.open;
    c.high[slot] = candle.high;
    c.low[slot] = candle.low;
    c.close[slot] = candle.close;
    c.volume[slot] = candle.volume;
    if (this.#length < this.capacity) this.#length++;
    else this.#head = this.#head + 1 === this.capacity ? 0 : this.#head + 1;
  }

  /** A view of every candle kept, the last pushed at `length − 1`. */
  window(): CandleWindow {
    return new CandleWindow(this.#columns, this.#head, this.#length);
  }
}

/**
 * A fixed series (a backtest's candles) whose windows grow bar by bar: `windowTo(end)` shows the
 * candles `[0, end)` and nothing after, which is how the backtest replays "closed candles up to now".
 */
export class CandleSeries {
  readonly #columns: Columns;
  readonly length: number;

  constructor(candles: readonly Candle[]) {
    this.length = candles.length;
    this.#columns = allocate(Math.max(1, candles.length));
    candles.forEach((candle, i) => {
      this.#columns.t[i] = candle.t;
      this.#columns.open[i] = candle.open;
      this.#columns.high[i] = candle.high;
      this.#columns.low[i] = candle.low;
      this.#columns.close[i] = candle.close;
      this.#columns.volume[i] = candle.volume;
    });
  }

  /** The first `end` candles (0 < end ≤ length). */
  windowTo(end: number): CandleWindow {
    if (!(end >= 0 && end <= this.length)) throw new RangeError(`end ${end} outside 0..${this.length}`);
    return new CandleWindow(this.#columns, 0, end);
  }
}
