import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDb } from "../../db/index.ts";
import { userQueries } from "../../db/queries/users.ts";
import { tempDir } from "../support/tmp.ts";

/**
 * The overlay read takes the user's columns by position (a raw row, for speed): each field must
 * come from its own column. Every column is given a value no other column has, then the overlay's
 * user is compared with the row read by name.
 */
describe("the mission overlay read", () => {
  let dir: ReturnType<typeof tempDir>;
  afterEach(() => dir?.cleanup());

  it("maps every user column to its own field", () => {
    dir = tempDir("sortie-overlay-");
    const db = openDb(join(dir.dir, "sortie.db"));
    try {
      const users = userQueries(db);
      users.ensureUser(
        { id: 42, first_name: "Ada", last_name: "Lovelace", username: "ada" },
        "2026-11-29T10:00:00.000Z",
      );
      db.prepare(
        `UPDATE users SET tier = 'COMMANDER', risk_percent = 1.5, balance = 10250.5, equity = 10300.25, currency = 'EUR',
           account_login = '777', account_server = 'Broker-Live', trade_allowed = 1, bridge_seen_ms = 1764410000000,
           bridge_offline_notified = 1, dm_status = 'ok', trades = 9, wins = 6, losses = 3, pnl = 412.75, xp = 1234,
           updated_at = '2026-11-29T11:00:00.000Z' WHERE id = 42`,
      ).run();
      const byName = users.findUser(42)!;
      const overlay = users.findMissionOverlay(42, "s_none", "EURUSD", 0)!;
      const fields = Object.keys(overlay.user);
      expect(fields).toHaveLength(22);
      for (const field of fields) {
        expect([field, overlay.user[field as keyof typeof overlay.user]]).toEqual([
          field,
          byName[field as keyof typeof byName],
        ]);
      }
      expect(overlay.user).toMatchObject({ tier: "COMMANDER", currency: "EUR", xp: 1234, last_name: "Lovelace" });
      expect(overlay).toMatchObject({ linked: false, firesToday: 0, fire: null, note: null, terminals: [] });
      expect(users.findMissionOverlay(43, "s_none", "EURUSD", 0)).toBeNull();
    } finally {
      db.close();
    }
  });
});
