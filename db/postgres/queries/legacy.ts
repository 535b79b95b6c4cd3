import { legacySignalParams, legacyUserParams } from "../../queries/legacy.ts";
import type { StoreQueries } from "../../store.ts";
import type { PgDb } from "../connection.ts";

/** PostgreSQL edition of db/queries/legacy.ts. */
export function pgLegacyQueries(db: PgDb): StoreQueries["legacy"] {
  return {
    async insertLegacySignal(mission) {
      const p = legacySignalParams(mission);
      return (
        (await db.run(
          `INSERT INTO signals (id, symbol, side, entry, stop_loss, take_profit, expires_at, expires_ms, confidence,
            shield_score, shield_notes, pattern, session, min_tier, status, created_at, created_ms, source, created_by,
            digits)
          VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'active', $15, $16, 'legacy',
            'import-legacy', $17)
          ON CONFLICT (id) DO NOTHING`,
          [
            p.id,
            p.symbol,
            p.side,
            p.entry,
            p.stop_loss,
            p.take_profit,
            p.expires_at,
            p.expires_ms,
            p.confidence,
            p.shield_score,
            p.shield_notes,
            p.pattern,
            p.session,
            p.min_tier,
            p.created_at,
            p.created_ms,
            p.digits,
          ],
        )) === 1
      );
    },
    async insertLegacyUser(mission, now) {
      const p = legacyUserParams(mission, now);
      return (
        (await db.run(
          `INSERT INTO users (id, tier, risk_percent, balance, equity, currency, created_at, updated_at)
          VALUES ($1, $2, $3, $4, $4, $5, $6, $6) ON CONFLICT (id) DO NOTHING`,
          [p.id, p.tier, p.risk_percent, p.balance, p.currency, p.now],
        )) === 1
      );
    },
    async updateLegacyUser(mission, now) {
      const p = legacyUserParams(mission, now);
      await db.run(
        `UPDATE users SET tier = $2, risk_percent = $3, balance = $4, equity = $4, currency = $5, updated_at = $6
        WHERE id = $1`,
        [p.id, p.tier, p.risk_percent, p.balance, p.currency, p.now],
      );
    },
  };
}
