import { bridgeOnline } from "../../../core/fire-policy.ts";
import type { TerminalView } from "../../../core/terminals.ts";
import { XP_RULES } from "../../../core/xp.ts";
import type { TerminalRow, TerminalStatsRow } from "../../../db/queries/terminals.ts";
import { tradeAllowedOf } from "../../../db/rows.ts";

export type { TerminalView };

/** The API's view of a terminal, with its own stats (fills, trades, P&L and XP made there). */
export function terminalView(
  row: TerminalRow,
  stats: TerminalStatsRow[],
  nowMs: number,
  staleMs: number,
): TerminalView {
  const mine = stats.find((s) => s.bridge_user_id === row.bridge_user_id);
  const fills = mine?.filled ?? 0;
  const trades = mine?.closed ?? 0;
  const wins = mine?.wins ?? 0;
  return {
    id: row.id,
    name: row.name,
    allocation: row.allocation,
    enabled: row.enabled === 1,
    online: bridgeOnline(
      { linked: row.linked === 1, lastSeenMs: row.bridge_seen_ms, tradeAllowed: true },
      nowMs,
      staleMs,
    ),
    last_seen: row.bridge_seen_ms === null ? null : new Date(row.bridge_seen_ms).toISOString(),
    first: row.bridge_user_id === row.user_id,
    account:
      row.account_login === null
        ? null
        : {
            login: row.account_login,
            server: row.account_server,
            currency: row.currency,
            balance: row.balance,
            equity: row.equity,
            trade_allowed: tradeAllowedOf(row),
          },
    stats: {
      fills,
      trades,
      wins,
      pnl: Math.round((mine?.pnl ?? 0) * 100) / 100,
      xp: fills * XP_RULES.filled + trades * XP_RULES.closed + wins * XP_RULES.win,
    },
  };
}
