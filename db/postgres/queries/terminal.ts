import type { HeartbeatSymbol } from "../../../bridge/protocol.ts";
import { canonicalForBroker } from "../../../core/broker-symbols.ts";
import type { StoreQueries } from "../../store.ts";
import type { PgDb } from "../connection.ts";

/** PostgreSQL edition of db/queries/terminal.ts. */
export function pgTerminalQueries(db: PgDb): StoreQueries["terminal"] {
  return {
    recordHeartbeat(userId, acct, symbols, prices, nowMs) {
      const now = new Date(nowMs).toISOString();
      return db.tx(async () => {
        await db.run(
          `UPDATE users SET balance = $1, equity = $2, currency = $3, account_login = $4, account_server = $5,
            trade_allowed = $6, bridge_seen_ms = $7, updated_at = $8 WHERE id = $9`,
          [
            acct.balance,
            acct.equity,
            acct.currency.toUpperCase(),
            String(acct.login),
            acct.server,
            acct.trade_allowed ? 1 : 0,
            nowMs,
            now,
            userId,
          ],
        );
        for (const s of symbols) {
          await db.run(
            `INSERT INTO terminal_symbols (user_id, name, canonical, tick_size, tick_value, volume_min, volume_step,
              volume_max, contract_size, digits, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            ON CONFLICT (user_id, name) DO UPDATE SET canonical = excluded.canonical, tick_size = excluded.tick_size,
              tick_value = excluded.tick_value, volume_min = excluded.volume_min, volume_step = excluded.volume_step,
              volume_max = excluded.volume_max, contract_size = excluded.contract_size, digits = excluded.digits,
              updated_at = excluded.updated_at`,
            [
              userId,
              s.name,
              canonicalForBroker(s.name),
              s.tick_size,
              s.tick_value,
              s.volume_min,
              s.volume_step,
              s.volume_max,
              s.contract_size,
              s.digits,
              now,
            ],
          );
        }
        for (const p of prices) {
          // A terminal's clock is not trusted to be sane: an unreadable or out-of-range time reads as now.
          const ms =
            typeof p.time === "number" ? p.time * 1000 : typeof p.time === "string" ? Date.parse(p.time) : Number.NaN;
          const time = Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? new Date(ms).toISOString() : now;
          await db.run(
            `INSERT INTO terminal_prices (user_id, name, canonical, bid, ask, time) VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (user_id, name) DO UPDATE SET bid = excluded.bid, ask = excluded.ask, time = excluded.time`,
            [userId, p.symbol, canonicalForBroker(p.symbol), p.bid, p.ask, time],
          );
        }
      });
    },
    async touchBridge(userId, nowMs) {
      await db.run("UPDATE users SET bridge_seen_ms = $1 WHERE id = $2", [nowMs, userId]);
    },
    listSymbolSpecs(userId) {
      return db.query<HeartbeatSymbol>(
        `SELECT name, tick_size, tick_value, volume_min, volume_step, volume_max, contract_size, digits
        FROM terminal_symbols WHERE user_id = $1`,
        [userId],
      );
    },
    listPrices(userId) {
      return db.query<{ symbol: string; bid: number; ask: number; time: string }>(
        "SELECT name AS symbol, bid, ask, time FROM terminal_prices WHERE user_id = $1",
        [userId],
      );
    },
    async reportedDigits(canonical) {
      return (
        (
          await db.one<{ digits: number | null }>(
            `SELECT max(s.digits) AS digits FROM terminal_symbols s
          WHERE s.canonical = $1 AND EXISTS (SELECT 1 FROM bridge_tokens t WHERE t.user_id = s.user_id)`,
            [canonical],
          )
        )?.digits ?? null
      );
    },
    async listSymbolNames(userId) {
      return (await db.query<{ name: string }>("SELECT name FROM terminal_symbols WHERE user_id = $1", [userId])).map(
        (r) => r.name,
      );
    },
    async findSymbolSpec(userId, brokerName) {
      return (
        (await db.one<HeartbeatSymbol>("SELECT * FROM terminal_symbols WHERE user_id = $1 AND name = $2", [
          userId,
          brokerName,
        ])) ?? null
      );
    },
    async findPrice(userId, brokerName) {
      return (
        (await db.one<{ bid: number; ask: number }>(
          "SELECT bid, ask FROM terminal_prices WHERE user_id = $1 AND name = $2",
          [userId, brokerName],
        )) ?? null
      );
    },
    async findRates(userId) {
      const out: Record<string, number> = {};
      const rows = await db.query<{ canonical: string; mid: number }>(
        "SELECT canonical, (bid + ask) / 2 AS mid FROM terminal_prices WHERE user_id = $1 AND canonical IS NOT NULL",
        [userId],
      );
      for (const r of rows) out[r.canonical] = r.mid;
      return out;
    },
  };
}
