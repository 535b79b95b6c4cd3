import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as tar from "tar";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signalStatus } from "../../../core/signal.ts";
import type { Store } from "../../../db/store.ts";
import { manualClock } from "../../../server/clock.ts";
import { importLegacyFolder } from "../../../server/legacy/import.ts";
import { runTs } from "../../hardening/support/cli.ts";
import { TEST_ENGINE, type TestDatabase, testDatabase } from "../../support/engine.ts";
import { tempDir } from "../../support/tmp.ts";
import { generateLegacyFolder, type LegacyFolder } from "./generate.ts";

const NOW = Date.now();
const SUMMARY = /^files (\d+), signals (\d+), users (\d+), skipped (\d+), bytes before (\d+), after (\d+)$/m;

function summaryOf(stdout: string) {
  const m = SUMMARY.exec(stdout);
  if (!m) throw new Error(`no summary line in ${JSON.stringify(stdout)}`);
  const [files, signals, users, skipped, before, after] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return { files, signals, users, skipped, before, after };
}

/** `skipped <file>: <reason>` lines of stderr, by file. */
function skippedOf(stderr: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of stderr.split("\n")) {
    const m = /^skipped (\S+): (.*)$/.exec(line);
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

describe("npm run import-legacy (5,000 files over 30 signals)", () => {
  const tmp = tempDir("sortie-legacy-");
  const folder = join(tmp.dir, "missions");
  const dbPath = join(tmp.dir, "sortie.db");
  // The CLI imports into the configured store: the SQLite file, or PostgreSQL at DATABASE_URL.
  const env: Record<string, string> = { DATABASE_PATH: dbPath };
  let database: TestDatabase;
  let legacy: LegacyFolder;

  beforeAll(async () => {
    mkdirSync(folder);
    legacy = generateLegacyFolder(folder, NOW);
    database = await testDatabase(tmp.dir);
    if (TEST_ENGINE === "postgres") env.DATABASE_URL = database.location;
  });
  afterAll(async () => {
    await database?.drop();
    tmp.cleanup();
  });

  it("imports 30 signals under their own ids and one user per user id, naming every skipped file", async () => {
    expect(legacy.files.size).toBe(5_000);
    const report = join(tmp.dir, "mismatches.csv");
    const run = await runTs("server/cli/import-legacy.ts", [folder, "--report", report], env);
    expect(run.code, run.stderr).toBe(0);
    const summary = summaryOf(run.stdout);
    const badCount = legacy.bad.size + legacy.duplicates.length;
    expect(summary).toMatchObject({ files: 5_000, signals: 30, users: legacy.users.size, skipped: badCount });
    expect(summary.before).toBe(legacy.bytes);
    expect(summary.after).toBeGreaterThan(0);

    const skipped = skippedOf(run.stderr);
    expect(skipped.size).toBe(badCount);
    for (const [name, word] of legacy.bad) expect(skipped.get(name), name).toContain(word);
    for (const [original, copy] of legacy.duplicates) {
      const which = skipped.has(original) ? original : copy;
      const other = which === original ? copy : original;
      expect(skipped.has(other), `only one of ${original} / ${copy} is skipped`).toBe(false);
      expect(skipped.get(which)).toBe(`duplicate of ${other} (same signal and user)`);
    }

    const store = await database.open();
    try {
      const ids = ((await store.query("SELECT id FROM signals ORDER BY id")) as Array<{ id: string }>).map((r) => r.id);
      expect(ids).toEqual([...legacy.signalIds].sort());
      for (const id of legacy.signalIds) {
        const signal = (await store.signals.findSignal(id))!;
        expect(signal.source).toBe("legacy");
        expect(signalStatus(signal, NOW)).toBe(legacy.expiredIds.includes(id) ? "expired" : "active");
        expect(signal.take_profit).toHaveLength(1 + (legacy.signalIds.indexOf(id) % 2));
      }
      const users = (await store.query(
        "SELECT id, tier, balance, currency, risk_percent FROM users ORDER BY id",
      )) as Array<{
        id: number;
        tier: string;
        balance: number;
        currency: string;
        risk_percent: number;
      }>;
      expect(users.map((u) => u.id)).toEqual([...legacy.users.keys()].sort((a, b) => a - b));
      for (const user of users) {
        expect({ tier: user.tier, balance: user.balance, risk_percent: user.risk_percent }).toEqual(
          legacy.users.get(user.id),
        );
        expect(user.currency).toBe("USD");
      }
    } finally {
      await store.close();
    }

    const rows = readFileSync(report, "utf8").trimEnd().split("\n");
    expect(rows[0]).toBe(
      "file,signal_id,user_id,symbol,balance,currency,risk_percent,stored_lots,sortie_lots,difference,reason",
    );
    const reported = new Set(rows.slice(1).map((r) => r.split(",")[0]!));
    // Of a duplicate pair, the file that was imported is the one reported.
    const importedCopy = new Map(legacy.duplicates.filter(([original]) => skipped.has(original)));
    const expected = new Set([...legacy.mismatches].map((name) => importedCopy.get(name) ?? name));
    expect(reported).toEqual(expected);
    expect(expected.size).toBeGreaterThan(100);
    for (const row of rows.slice(1)) expect(Number(row.split(",")[9]), row).toBeGreaterThan(0);
  }, 120_000);

  it("adds nothing on a second run", async () => {
    const run = await runTs("server/cli/import-legacy.ts", [folder], env);
    expect(run.code, run.stderr).toBe(0);
    expect(summaryOf(run.stdout)).toMatchObject({ files: 5_000, signals: 0, users: 0, after: 0 });
  }, 120_000);

  it("removes nothing when the archive cannot be written", async () => {
    const run = await runTs(
      "server/cli/import-legacy.ts",
      [folder, "--archive", join(tmp.dir, "no", "such", "x.tar.gz")],
      env,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("nothing was removed");
    expect(readdirSync(folder)).toHaveLength(5_000);
  }, 120_000);

  it("archives the imported files into one tar.gz that gives them back byte for byte, and removes them", async () => {
    const archive = join(tmp.dir, "legacy.tar.gz");
    const run = await runTs("server/cli/import-legacy.ts", [folder, "--archive", archive], env);
    expect(run.code, run.stderr).toBe(0);
    const summary = summaryOf(run.stdout);
    expect(summary).toMatchObject({ signals: 0, users: 0 });
    const importedCount = 5_000 - summary.skipped;
    expect(run.stderr).toContain(`archived ${importedCount} files`);
    // Only the skipped files are left in the folder.
    expect(readdirSync(folder).sort()).toEqual([...skippedOf(run.stderr).keys()].sort());
    expect(statSync(archive).size).toBeLessThan(summary.before / 5);

    const back = join(tmp.dir, "back");
    mkdirSync(back);
    await tar.x({ file: archive, cwd: back });
    const restored = readdirSync(back);
    expect(restored).toHaveLength(importedCount);
    for (const name of restored) expect(readFileSync(join(back, name), "utf8"), name).toBe(legacy.files.get(name));

    const again = await runTs("server/cli/import-legacy.ts", [folder, "--archive", archive], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("already exists");
    expect(readdirSync(folder)).toHaveLength(summary.skipped);
  }, 120_000);
});

describe("importLegacyFolder", () => {
  it("skips a file whose signal differs from the one already stored under its id, and imports the rest", async () => {
    const tmp = tempDir("sortie-legacy-");
    const database = await testDatabase(tmp.dir);
    let store: Store | null = null;
    try {
      store = await database.open();
      const clock = manualClock(NOW);
      const folder = join(tmp.dir, "in");
      mkdirSync(folder);
      const legacy = generateLegacyFolder(folder, NOW, 60, 2);
      const first = await importLegacyFolder({ store, clock, folder });
      expect(first).toMatchObject({ signals: 2, users: 30 });

      const id = legacy.signalIds[0]!;
      const name = `mission_${id}_777.json`;
      const body = JSON.parse(legacy.files.get(`mission_${id}_10000.json`)!) as Record<string, unknown>;
      writeFileSync(join(folder, name), JSON.stringify({ ...body, user_id: 777, stop_loss: 1.0825 }));
      const skipped: Array<[string, string]> = [];
      const second = await importLegacyFolder({ store, clock, folder, onSkip: (f, r) => skipped.push([f, r]) });
      expect(second).toMatchObject({ signals: 0, users: 0 });
      expect(skipped).toContainEqual([
        name,
        `signal ${id} differs from the signal already stored under this id (symbol, side, prices or expiry)`,
      ]);
      expect(await store.users.findUser(777)).toBeNull();
      expect(existsSync(join(folder, name))).toBe(true);
    } finally {
      await store?.close();
      await database.drop();
      tmp.cleanup();
    }
  });
});
