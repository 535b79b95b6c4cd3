import { statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startCheckpointer } from "../../db/checkpointer.ts";
import { openDb } from "../../db/index.ts";
import { tempDir } from "../support/tmp.ts";
import { waitFor } from "../support/wait.ts";

describe("startCheckpointer", () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it("moves WAL pages into the database file from a worker while the main connection never checkpoints", async () => {
    const path = join(tmp.dir, "cp.db");
    const sqlite = openDb(path, { walCheckpointing: "external" });
    const insert = sqlite.prepare("INSERT INTO events (at, type, data) VALUES ('t', 'bulk', ?)");
    for (let i = 0; i < 3000; i++) insert.run("x".repeat(1000));
    const before = statSync(path).size;
    // Nothing reached the database file yet: automatic checkpoints are off on this connection.
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(3_000_000);
    expect(before).toBeLessThan(1_000_000);
    const checkpointer = startCheckpointer(path, 50);
    await waitFor(() => statSync(path).size > 3_000_000, 5000, "pages checkpointed");
    await checkpointer.stop();
    expect((sqlite.prepare("SELECT COUNT(*) AS n FROM events WHERE type = 'bulk'").get() as { n: number }).n).toBe(
      3000,
    );
    sqlite.close();
  });
});
