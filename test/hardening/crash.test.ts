/**
 * Crash test against the REAL server process: SIGKILL mid-burst, restart on the same database.
 *
 * Why nothing answered 202 can be lost: the database runs in WAL mode, and a fire (row, commands,
 * audit events) commits in one transaction BEFORE the 202 is written. With synchronous=NORMAL (the
 * default, db/index.ts) that commit is in the WAL file in the OS page cache when SQLite returns;
 * SIGKILL ends the process, not the kernel, so the pages still reach the file and the next open
 * replays the WAL. Only an OS crash or power cut could lose the last commits, which is what
 * DB_SYNCHRONOUS=FULL (an fsync per commit) adds; the paper-terminal run below uses FULL so both
 * settings are exercised. Nothing is held in memory that a restart needs: the outbox
 * (bridge_commands) is the queue, and a command delivered without a result is sent again after the
 * 10 s visibility timeout — the terminal dedups by command id, so it is executed exactly once.
 */
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { LOCAL_BOT_TOKEN } from "../../server/config/index.ts";
import { signInitData } from "../support/harness.ts";
import { waitFor } from "../support/wait.ts";
import { cleanupsAfterEach, createCrashSignal, startCrashServer } from "./support/crash-rig.ts";
import { type HttpAnswer, pool } from "./support/http-client.ts";
import { createTerminalFleet } from "./support/terminal-fleet.ts";

/** 1,000 users × 5 taps: ~16 s on two cores (measured), so the full size runs; CRASH_USERS scales it. */
const USERS = Number(process.env.CRASH_USERS ?? 1000);
const TAPS = 5;
const tma = (id: number) => `tma ${signInitData({ id }, LOCAL_BOT_TOKEN)}`;

const cleanups = cleanupsAfterEach();

function readDb(dbPath: string) {
  const db = new Database(dbPath, { readonly: true });
  const all = <T>(sql: string, ...args: unknown[]) => db.prepare(sql).all(...args) as T[];
  return { db, all };
}

describe("crash: SIGKILL the server mid-burst, restart on the same database", () => {
  it(`${USERS} users × ${TAPS} concurrent taps: every 202 survives, executed exactly once, nothing stuck`, async () => {
    const t0 = Date.now();
    const rig = await startCrashServer(cleanups, { tmpPrefix: "sortie-crash-", sockets: 128 });
    const { client } = rig;

    const signalId = await createCrashSignal(client);
    const users = Array.from({ length: USERS }, (_, i) => 500_000 + i);
    const auth = new Map(users.map((id) => [id, tma(id)]));
    const tokens = new Map<number, string>();
    await pool(
      users.map((id) => async () => {
        const res = await client.post("/api/me/bridge-token", {}, { authorization: auth.get(id)! });
        tokens.set(id, (JSON.parse(res.body) as { token: string }).token);
      }),
      32,
    );
    const fleet = createTerminalFleet(rig.server.url, tokens);
    cleanups.push(() => fleet.stop());
    await fleet.heartbeatAll();
    fleet.start();
    const setupMs = Date.now() - t0;

    // The burst: every user taps FIRE five times at once; SIGKILL once 40 % of users have their 202.
    const answers = new Map<number, Array<{ status: number; fireId: string | null }>>();
    let accepted = 0;
    let failed = 0;
    let killed: Promise<void> | null = null;
    let executedAtKill = 0;
    const tap = (id: number) => async () => {
      let res: HttpAnswer;
      try {
        res = await client.post("/api/fire", { signal_id: signalId }, { authorization: auth.get(id)! });
      } catch {
        failed++;
        return;
      }
      const fireId = res.status < 300 ? (JSON.parse(res.body) as { fire: { id: string } }).fire.id : null;
      answers.set(id, [...(answers.get(id) ?? []), { status: res.status, fireId }]);
      if (res.status === 202) accepted++;
      // Kill once 40 % of users hold their 202 (terminals may or may not have started executing:
      // with group commit the API outruns them, and both cases must keep every 202).
      if (!killed && accepted >= USERS * 0.4) {
        executedAtKill = fleet.positions().length;
        killed = rig.server.kill();
      }
    };
    const burstStarted = Date.now();
    await pool(
      users.flatMap((id) => Array.from({ length: TAPS }, () => tap(id))),
      128,
    );
    await killed;
    const burstMs = Date.now() - burstStarted;
    expect(killed, "the burst ended before the kill").not.toBeNull();
    expect(failed, "some taps must have hit the dead server").toBeGreaterThan(0);
    const before = new Map([...answers].map(([id, list]) => [id, list.find((a) => a.fireId)?.fireId ?? null]));
    for (const [id, list] of answers) {
      // Every answer a user got names the same fire: 202 once, then 200 duplicates of it.
      expect(new Set(list.map((a) => a.fireId)).size, `user ${id}: ${JSON.stringify(list)}`).toBe(1);
      expect(list.filter((a) => a.status === 202).length).toBeLessThanOrEqual(1);
    }

    // Restart on the same file and port; users with no answer tap again (the Mini App retries).
    const restartedAt = Date.now();
    await rig.restart();
    const restartMs = Date.now() - restartedAt;
    let retried = 0;
    let inDoubtCommitted = 0;
    await pool(
      users
        .filter((id) => !before.get(id))
        .map((id) => async () => {
          const res = await client.post("/api/fire", { signal_id: signalId }, { authorization: auth.get(id)! });
          expect([200, 202], res.body).toContain(res.status);
          retried++;
          if (res.status === 200) inDoubtCommitted++; // committed before the kill, answer lost
          before.set(id, (JSON.parse(res.body) as { fire: { id: string } }).fire.id);
        }),
      32,
    );

    // Let the terminals drain: every fire filled (redeliveries after the 10 s visibility timeout).
    const { db, all } = readDb(rig.dbPath);
    cleanups.push(() => void db.close());
    // A fire reads "filled" once one leg is: wait for every leg (command), not just every fire.
    const unfinished = () =>
      all<{ n: number }>("SELECT COUNT(*) AS n FROM bridge_commands WHERE state <> 'filled'")[0]!.n;
    await waitFor(() => unfinished() === 0 && fleet.pendingReports() === 0, 120_000, "every fire filled");
    const drainMs = Date.now() - restartedAt;

    const fires = all<{ id: string; user_id: number; state: string }>("SELECT id, user_id, state FROM fires");
    const commands = all<{ id: string; fire_id: string; state: string; deliveries: number }>(
      "SELECT id, fire_id, state, deliveries FROM bridge_commands",
    );
    expect(fires).toHaveLength(USERS); // one per user, ever
    const fireOf = new Map(fires.map((f) => [f.user_id, f.id]));
    for (const [id, fireId] of before) expect(fireOf.get(id), `user ${id}`).toBe(fireId); // every 202 is there
    expect(commands).toHaveLength(USERS * 2);
    expect(commands.every((c) => c.state === "filled")).toBe(true);
    // Exactly once on the terminal side: one open per command id, and per user one fire's two legs.
    expect([...fleet.opens.values()].every((n) => n === 1)).toBe(true);
    const positions = fleet.positions();
    expect(positions).toHaveLength(USERS * 2);
    for (const p of positions) expect(fireOf.get(p.userId)).toBe(p.fireId);
    expect(new Set(positions.map((p) => `${p.userId}:${p.leg}`)).size).toBe(USERS * 2);
    const redelivered = commands.filter((c) => c.deliveries > 1).length;
    console.log(
      `crash: ${USERS} users × ${TAPS} taps; setup ${setupMs} ms; burst ${burstMs} ms with SIGKILL after ${accepted} × 202 and ${executedAtKill} executions, ` +
        `${failed} taps failed on the dead server; restart ${restartMs} ms; ${retried} users retried ` +
        `(${inDoubtCommitted} had been committed, answer lost); ${redelivered} commands delivered more than once (deduped by the terminals); ` +
        `drained ${drainMs} ms after restart; total ${Date.now() - t0} ms`,
    );
  }, 240_000);
});
