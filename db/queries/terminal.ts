import type { HeartbeatAccount, HeartbeatPrice, HeartbeatSymbol } from "../../bridge/protocol.ts";
import { canonicalForBroker } from "../../core/broker-symbols.ts";
import type { Sqlite } from "../index.ts";

/** Typed queries for what a user's terminal reports: account, symbol specs, prices, liveness. */
export function terminalQueries(sqlite: Sqlite) {
  const account = sqlite.prepare(`UPDATE users SET balance = @balance, equity = @equity, currency = @currency,
    account_login = @login, account_server = @server, trade_allowed = @trade_allowed, bridge_seen_ms = @seen_ms,
    updated_at = @now WHERE id = @user_id`);
  const touch = sqlite.prepare("UPDATE users SET bridge_seen_ms = ? WHERE id = ?");
  const symbol = sqlite.prepare(`INSERT INTO terminal_symbols (user_id, name, canonical, tick_size, tick_value,
      volume_min, volume_step, volume_max, contract_size, digits, updated_at)
    VALUES (@user_id, @name, @canonical, @tick_size, @tick_value, @volume_min, @volume_step, @volume_max,
      @contract_size, @digits, @now)
    ON CONFLICT (user_id, name) DO UPDATE SET canonical = excluded.canonical, tick_size = excluded.tick_size,
      tick_value = excluded.tick_value, volume_min = excluded.volume_min, volume_step = excluded.volume_step,
      volume_max = excluded.volume_max, contract_size = excluded.contract_size, digits = excluded.digits,
      updated_at = excluded.updated_at`);
  const price = sqlite.prepare(`INSERT INTO terminal_prices (user_id, name, canonical, bid, ask, time)
    VALUES (@user_id, @name, @canonical, @bid, @ask, @time)
    ON CONFLICT (user_id, name) DO UPDATE SET bid = excluded.bid, ask = excluded.ask, time = excluded.time`);
  const names = sqlite.prepare("SELECT name FROM terminal_symbols WHERE user_id = ?");
  const allSpecs = sqlite.prepare(`SELECT name, tick_size, tick_value, volume_min, volume_step, volume_max,
      contract_size, digits FROM terminal_symbols WHERE user_id = ?`);
  const allPrices = sqlite.prepare("SELECT name AS symbol, bid, ask, time FROM terminal_prices WHERE user_id = ?");
  const specByName = sqlite.prepare("SELECT * FROM terminal_symbols WHERE user_id = ? AND name = ?");
  const priceByName = sqlite.prepare("SELECT bid, ask FROM terminal_prices WHERE user_id = ? AND name = ?");
  const digitsByCanonical = sqlite.prepare(`SELECT max(s.digits) AS digits FROM terminal_symbols s
    WHERE s.canonical = ? AND EXISTS (SELECT 1 FROM bridge_tokens t WHERE t.user_id = s.user_id)`);
  const rates = sqlite.prepare(
    "SELECT canonical, (bid + ask) / 2 AS mid FROM terminal_prices WHERE user_id = ? AND canonical IS NOT NULL",
  );

  const record = sqlite.transaction(
    (userId: number, acct: HeartbeatAccount, symbols: HeartbeatSymbol[], prices: HeartbeatPrice[], nowMs: number) => {
      const now = new Date(nowMs).toISOString();
      account.run({
        user_id: userId,
        balance: acct.balance,
        equity: acct.equity,
        currency: acct.currency.toUpperCase(),
        login: String(acct.login),
        server: acct.server,
        trade_allowed: acct.trade_allowed ? 1 : 0,
        seen_ms: nowMs,
        now,
      });
      for (const s of symbols) symbol.run({ ...s, user_id: userId, canonical: canonicalForBroker(s.name), now });
      for (const p of prices) {
        // A terminal's clock is not trusted to be sane: an unreadable or out-of-range time reads as now.
        const ms =
          typeof p.time === "number" ? p.time * 1000 : typeof p.time === "string" ? Date.parse(p.time) : Number.NaN;
        const time = Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? new Date(ms).toISOString() : now;
        price.run({
          user_id: userId,
          name: p.symbol,
          canonical: canonicalForBroker(p.symbol),
          bid: p.bid,
          ask: p.ask,
          time,
        });
      }
    },
  );

  return {
    /** Stores a heartbeat (account, specs, prices) in one transaction. */
    recordHeartbeat(
      userId: number,
      acct: HeartbeatAccount,
      symbols: HeartbeatSymbol[],
      prices: HeartbeatPrice[],
      nowMs: number,
    ): void {
      record(userId, acct, symbols, prices, nowMs);
    },
    /** Marks the bridge as heard from. */
    touchBridge(userId: number, nowMs: number): void {
      touch.run(nowMs, userId);
    },
    /** Every symbol spec stored for `userId`'s terminal. */
    listSymbolSpecs(userId: number): HeartbeatSymbol[] {
      return allSpecs.all(userId) as HeartbeatSymbol[];
    },
    /** Every price stored for `userId`'s terminal (`time` as stored: ISO text). */
    listPrices(userId: number): Array<{ symbol: string; bid: number; ask: number; time: string }> {
      return allPrices.all(userId) as Array<{ symbol: string; bid: number; ask: number; time: string }>;
    },
    listSymbolNames(userId: number): string[] {
      return (names.all(userId) as Array<{ name: string }>).map((r) => r.name);
    },
    findSymbolSpec(userId: number, brokerName: string): HeartbeatSymbol | null {
      return (specByName.get(userId, brokerName) as HeartbeatSymbol | undefined) ?? null;
    },
    /** Quote digits of a symbol as linked terminals reported it; null when none has. */
    reportedDigits(canonical: string): number | null {
      return (digitsByCanonical.get(canonical) as { digits: number | null }).digits;
    },
    findPrice(userId: number, brokerName: string): { bid: number; ask: number } | null {
      return (priceByName.get(userId, brokerName) as { bid: number; ask: number } | undefined) ?? null;
    },
    /** Mid prices by canonical symbol, for currency conversion. */
    findRates(userId: number): Record<string, number> {
      const out: Record<string, number> = {};
      for (const r of rates.all(userId) as Array<{ canonical: string; mid: number }>) out[r.canonical] = r.mid;
      return out;
    },
  };
}

export type TerminalQueries = ReturnType<typeof terminalQueries>;
