import type { LegacyMission } from "../../core/legacy.ts";
import type { Sqlite } from "../index.ts";

/** The `users` columns a legacy file sets (both engines). */
export function legacyUserParams(mission: LegacyMission, now: string) {
  return {
    id: mission.userId,
    tier: mission.user.tier,
    risk_percent: mission.user.riskPercent,
    balance: mission.user.balance,
    currency: mission.user.currency,
    now,
  };
}

/** The `signals` columns a legacy file sets (both engines). */
export function legacySignalParams(mission: LegacyMission) {
  const { signal } = mission;
  return {
    id: mission.signalId,
    symbol: signal.symbol,
    side: signal.side,
    entry: signal.entry,
    stop_loss: signal.stop_loss,
    take_profit: JSON.stringify(signal.take_profit),
    expires_at: signal.expires_at,
    expires_ms: Date.parse(signal.expires_at),
    confidence: signal.confidence,
    shield_score: signal.shield_score,
    shield_notes: signal.shield_notes,
    pattern: signal.pattern,
    session: signal.session,
    min_tier: signal.min_tier,
    created_at: mission.createdAt,
    created_ms: mission.createdMs,
    digits: signal.digits ?? null,
  };
}

/**
 * Writes of the legacy importer (`npm run import-legacy`): a signal under its old id and a user
 * under their Telegram id, each only when not stored yet, so a second run adds nothing.
 */
export function legacyQueries(sqlite: Sqlite) {
  const insertSignal = sqlite.prepare(`INSERT INTO signals (id, symbol, side, entry, stop_loss, take_profit,
      expires_at, expires_ms, confidence, shield_score, shield_notes, pattern, session, min_tier, status,
      created_at, created_ms, source, created_by, digits)
    VALUES (@id, @symbol, @side, @entry, @stop_loss, @take_profit, @expires_at, @expires_ms, @confidence,
      @shield_score, @shield_notes, @pattern, @session, @min_tier, 'active', @created_at, @created_ms, 'legacy',
      'import-legacy', @digits)
    ON CONFLICT (id) DO NOTHING`);
  const insertUser = sqlite.prepare(`INSERT INTO users (id, tier, risk_percent, balance, equity, currency,
      created_at, updated_at)
    VALUES (@id, @tier, @risk_percent, @balance, @balance, @currency, @now, @now)
    ON CONFLICT (id) DO NOTHING`);
  const updateUser = sqlite.prepare(`UPDATE users SET tier = @tier, risk_percent = @risk_percent,
      balance = @balance, equity = @balance, currency = @currency, updated_at = @now WHERE id = @id`);

  return {
    /** Stores the file's signal under its old id; false when that id is already stored. */
    insertLegacySignal(mission: LegacyMission): boolean {
      return insertSignal.run(legacySignalParams(mission)).changes === 1;
    },
    /** Creates the file's user with its overlay; false when the user already exists (left as is). */
    insertLegacyUser(mission: LegacyMission, now: string): boolean {
      return insertUser.run(legacyUserParams(mission, now)).changes === 1;
    },
    /** Sets the overlay of a user this import created to a newer file's. */
    updateLegacyUser(mission: LegacyMission, now: string): void {
      updateUser.run(legacyUserParams(mission, now));
    },
  };
}

export type LegacyQueries = ReturnType<typeof legacyQueries>;
