import { rankFor } from "../../core/xp.ts";
import type { Store } from "../../db/store.ts";

export interface UserStats {
  user_id: number;
  trades: number;
  wins: number;
  losses: number;
  win_rate: number;
  pnl: number;
  pnl_7d: number;
  xp: number;
  rank: string;
  fires: number;
  fires_today: number;
}

const WEEK_MS = 7 * 24 * 3600 * 1000;

/** A user's trading stats: running totals from the overlay, 7-day P&L from closed fires. */
export async function statsFor(
  store: Store,
  userId: number,
  nowMs: number,
  dayStartMs: number,
): Promise<UserStats | null> {
  const user = await store.users.findUser(userId);
  if (!user) return null;
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    user_id: user.id,
    trades: user.trades,
    wins: user.wins,
    losses: user.losses,
    win_rate: user.trades > 0 ? round((user.wins / user.trades) * 100) : 0,
    pnl: round(user.pnl),
    pnl_7d: round(await store.fires.closedPnlSince(userId, nowMs - WEEK_MS)),
    xp: user.xp,
    rank: rankFor(user.xp),
    fires: await store.fires.countFiresSince(userId, 0),
    fires_today: await store.fires.countFiresSince(userId, dayStartMs),
  };
}
