import type { SignalOutcome } from "./outcomes.ts";
import { isWin } from "./result.ts";

const DAY_MS = 24 * 3600 * 1000;

/** One day or week of closed signals (freqtrade's `/daily` and `/weekly` rows). */
export interface PeriodRow {
  /** Start of the period, epoch ms: UTC midnight, or Monday 00:00 UTC for weeks. */
  startMs: number;
  closed: number;
  wins: number;
  /** Sum of the closed signals' R. */
  r: number;
  /** Sum of their realised profit, account currency. */
  profit: number;
}

/** UTC midnight of the day holding `ms`, or of that week's Monday (ISO weeks start on Monday). */
export function periodStartMs(ms: number, unit: "day" | "week"): number {
  const day = Math.floor(ms / DAY_MS) * DAY_MS;
  if (unit === "day") return day;
  const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  return day - weekday * DAY_MS;
}

/**
 * The last `count` days or weeks up to the one holding `nowMs`, newest first, every period listed
 * even when empty; each closed outcome counts in the period of its close time.
 */
export function periodTable(
  outcomes: readonly SignalOutcome[],
  nowMs: number,
  unit: "day" | "week",
  count: number,
): PeriodRow[] {
  const step = unit === "day" ? DAY_MS : 7 * DAY_MS;
  const newest = periodStartMs(nowMs, unit);
  const rows: PeriodRow[] = Array.from({ length: count }, (_, i) => ({
    startMs: newest - i * step,
    closed: 0,
    wins: 0,
    r: 0,
    profit: 0,
  }));
  const oldest = newest - (count - 1) * step;
  for (const o of outcomes) {
    if (!o.closed || o.r === null || o.closedMs === null || o.closedMs < oldest || o.closedMs >= newest + step)
      continue;
    const row = rows[Math.floor((newest - periodStartMs(o.closedMs, unit)) / step)];
    if (!row) continue;
    row.closed++;
    row.r += o.r;
    row.profit += o.profit;
    if (isWin(o.r)) row.wins++;
  }
  return rows;
}
