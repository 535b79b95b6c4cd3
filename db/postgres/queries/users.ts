import type { TerminalSymbolSpec } from "../../../core/instruments/index.ts";
import { pickSpec, type TerminalSettings } from "../../queries/users.ts";
import { type FireView, type UserRow, withTerminalParts } from "../../rows.ts";
import type { StoreQueries } from "../../store.ts";
import type { PgDb } from "../connection.ts";
import { PG_FIRE_JSON } from "./fire-json.ts";

/** PostgreSQL edition of db/queries/users.ts. */
export function pgUserQueries(db: PgDb): StoreQueries["users"] {
  return {
    async ensureUser(profile, now) {
      await db.run(
        `INSERT INTO users (id, first_name, last_name, username, created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $5)
        ON CONFLICT (id) DO UPDATE SET first_name = excluded.first_name, last_name = excluded.last_name,
          username = excluded.username, updated_at = excluded.updated_at
        WHERE coalesce(users.first_name, '') <> coalesce(excluded.first_name, '')
           OR coalesce(users.last_name, '') <> coalesce(excluded.last_name, '')
           OR coalesce(users.username, '') <> coalesce(excluded.username, '')`,
        [profile.id, profile.first_name ?? null, profile.last_name ?? null, profile.username ?? null, now],
      );
    },
    async lockUser(id) {
      return (await db.one("SELECT id FROM users WHERE id = $1 FOR UPDATE", [id])) !== undefined;
    },
    async findUser(id) {
      return (await db.one<UserRow>("SELECT * FROM users WHERE id = $1", [id])) ?? null;
    },
    async listUsers() {
      return db.query<UserRow & { linked: number }>(
        `SELECT u.*, EXISTS (SELECT 1 FROM bridge_tokens t WHERE t.user_id = u.id)::int AS linked
        FROM users u ORDER BY u.id`,
      );
    },
    async setRiskPercent(id, riskPercent, now) {
      return (
        (await db.run("UPDATE users SET risk_percent = $1, updated_at = $2 WHERE id = $3", [riskPercent, now, id])) ===
        1
      );
    },
    async setTier(id, tier, now) {
      return (await db.run("UPDATE users SET tier = $1, updated_at = $2 WHERE id = $3", [tier, now, id])) === 1;
    },
    async setDmStatus(id, status) {
      return (await db.run("UPDATE users SET dm_status = $1 WHERE id = $2 AND dm_status <> $1", [status, id])) === 1;
    },
    async setOfflineNotified(id, notified) {
      await db.run("UPDATE users SET bridge_offline_notified = $1 WHERE id = $2", [notified ? 1 : 0, id]);
    },
    async setBridgeTokenHash(userId, hash, now) {
      await db.run(
        `INSERT INTO bridge_tokens (user_id, token_hash, created_at) VALUES ($1, $2, $3)
        ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at`,
        [userId, hash, now],
      );
    },
    async findUserIdByTokenHash(hash) {
      return (
        (await db.one<{ user_id: number }>("SELECT user_id FROM bridge_tokens WHERE token_hash = $1", [hash]))
          ?.user_id ?? null
      );
    },
    async saveNote(userId, signalId, text, now) {
      if (text.trim() === "") {
        await db.run("DELETE FROM mission_notes WHERE user_id = $1 AND signal_id = $2", [userId, signalId]);
        return;
      }
      await db.run(
        `INSERT INTO mission_notes (user_id, signal_id, text, updated_at) VALUES ($1, $2, $3, $4)
        ON CONFLICT (user_id, signal_id) DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at`,
        [userId, signalId, text, now],
      );
    },
    async findMissionOverlay(userId, signalId, symbol, dayStartMs) {
      const row = await db.one<
        UserRow & {
          linked: boolean;
          fires_today: number;
          specs: TerminalSymbolSpec[];
          rates: Record<string, number> | null;
          fire: FireView | null;
          note: { text: string; updated_at: string } | null;
          terminals: TerminalSettings[];
        }
      >(
        `SELECT u.*,
          EXISTS (SELECT 1 FROM bridge_tokens t WHERE t.user_id = u.id) AS linked,
          (SELECT COUNT(*) FROM fires WHERE user_id = u.id AND created_ms >= $2) AS fires_today,
          coalesce((SELECT json_agg(json_build_object('name', name, 'tick_size', tick_size, 'tick_value', tick_value,
              'volume_min', volume_min, 'volume_step', volume_step, 'volume_max', volume_max,
              'contract_size', contract_size, 'digits', digits))
            FROM terminal_symbols WHERE user_id = u.id AND canonical = $3), '[]'::json) AS specs,
          (SELECT json_object_agg(canonical, (bid + ask) / 2) FROM terminal_prices
            WHERE user_id = u.id AND canonical IS NOT NULL) AS rates,
          (SELECT ${PG_FIRE_JSON} FROM fires f WHERE f.signal_id = $4 AND f.user_id = u.id) AS fire,
          (SELECT json_build_object('text', text, 'updated_at', updated_at) FROM mission_notes
            WHERE user_id = u.id AND signal_id = $4) AS note,
          coalesce((SELECT json_agg(json_build_object('id', t.id, 'name', t.name, 'allocation', t.allocation,
              'enabled', t.enabled, 'bridge_user_id', t.bridge_user_id) ORDER BY t.position)
            FROM terminals t WHERE t.user_id = u.id AND t.unlinked_at IS NULL), '[]'::json) AS terminals
        FROM users u WHERE u.id = $1`,
        [userId, dayStartMs, symbol, signalId],
      );
      if (!row) return null;
      const { linked, fires_today, specs, rates, fire, note, terminals, ...user } = row;
      return {
        user,
        linked,
        firesToday: fires_today,
        terminalSpec: pickSpec(symbol, specs),
        rates: rates ?? {},
        fire: fire ? withTerminalParts(fire) : null,
        note,
        terminals,
      };
    },
  };
}
