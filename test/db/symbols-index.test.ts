import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDb } from "../../db/index.ts";
import { tempDir } from "../support/tmp.ts";

/**
 * A trader's mission overlay (and every first tap) reads that trader's spec of the signal's symbol.
 * The plan must go by the trader, not through every trader's row of the symbol (migration 0010).
 */
describe("terminal_symbols lookups", () => {
  let dir: ReturnType<typeof tempDir>;
  afterEach(() => dir?.cleanup());

  it("finds one trader's spec of a symbol by (user_id, canonical), not by the symbol alone", () => {
    dir = tempDir("sortie-plan-");
    const db = openDb(join(dir.dir, "sortie.db"));
    try {
      const plan = (
        db
          .prepare(
            "EXPLAIN QUERY PLAN SELECT name FROM terminal_symbols WHERE user_id = @user_id AND canonical = @symbol",
          )
          .all({ user_id: 1, symbol: "EURUSD" }) as Array<{ detail: string }>
      )
        .map((r) => r.detail)
        .join("\n");
      expect(plan).toContain("terminal_symbols_by_user_canonical (user_id=? AND canonical=?)");
      expect(plan).not.toContain("terminal_symbols_by_canonical");
    } finally {
      db.close();
    }
  });
});
