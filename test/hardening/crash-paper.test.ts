/**
 * Crash test with real paper terminals (the EA stand-in) over HTTP to the REAL server process:
 * half the terminals crash right after executing an order and before reporting it, the server is
 * SIGKILLed at the same time, then both come back. This run uses DB_SYNCHRONOUS=FULL (an fsync per
 * commit, power-loss durable); crash.test.ts covers the default NORMAL — see the comment there.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { PaperTerminal } from "../../bridge/paper/index.ts";
import { LOCAL_BOT_TOKEN } from "../../server/config/index.ts";
import { signInitData } from "../support/harness.ts";
import { spec } from "../support/paper.ts";
import { waitFor } from "../support/wait.ts";
import { cleanupsAfterEach, crashPaperTerminal, createCrashSignal, startCrashServer } from "./support/crash-rig.ts";

const USERS = Array.from({ length: 12 }, (_, i) => 600_000 + i);
const tma = (id: number) => ({ authorization: `tma ${signInitData({ id }, LOCAL_BOT_TOKEN)}` });

const cleanups = cleanupsAfterEach();

describe("crash: paper terminals crash mid-execution while the server is SIGKILLed", () => {
  it("every fire is filled, every order opened exactly once, after both restart", async () => {
    const rig = await startCrashServer(cleanups, {
      tmpPrefix: "sortie-crash-paper-",
      env: { DB_SYNCHRONOUS: "FULL" },
      sockets: 32,
    });
    const { client } = rig;

    const opens = new Map<string, number>(); // command id → positions opened, over every instance
    const make = (id: number, token: string): PaperTerminal =>
      crashPaperTerminal(cleanups, opens, {
        baseUrl: rig.server.url,
        token,
        stateFile: join(rig.dir, `paper-${id}.json`),
        account: { login: id, server: "Paper-Demo", currency: "USD", balance: 10_000 },
        symbol: spec("EURUSD"),
      });
    const terminals = new Map<number, PaperTerminal>();
    const tokens = new Map<number, string>();
    for (const id of USERS) {
      const res = await client.post("/api/me/bridge-token", {}, tma(id));
      tokens.set(id, (JSON.parse(res.body) as { token: string }).token);
      terminals.set(id, make(id, tokens.get(id)!));
      await terminals.get(id)!.start();
    }
    const online = async (id: number) =>
      (JSON.parse((await client.get("/api/me", tma(id))).body) as { bridge: { online: boolean } }).bridge.online;
    for (const id of USERS) await waitFor(() => online(id), 5000, `terminal ${id} online`);

    const signalId = await createCrashSignal(client);
    const crashing = USERS.filter((_, i) => i % 2 === 0);
    for (const id of crashing) terminals.get(id)!.crashAfterExecute();

    const answers = await Promise.all(USERS.map((id) => client.post("/api/fire", { signal_id: signalId }, tma(id))));
    expect(answers.map((a) => a.status)).toEqual(USERS.map(() => 202));
    const fireOf = new Map(
      USERS.map((id, i) => [id, (JSON.parse(answers[i]!.body) as { fire: { id: string } }).fire.id]),
    );

    // Each crashing terminal executes its first leg and dies unreported; then the server dies too.
    await waitFor(() => crashing.every((id) => terminals.get(id)!.executedIds().length >= 1), 10_000, "crashes");
    await rig.server.kill();
    const restartedAt = Date.now();
    for (const id of crashing) {
      const again = make(id, tokens.get(id)!); // a new process on the same state file
      terminals.set(id, again);
      await again.start();
    }
    await rig.restart();

    const read = await rig.openReader();
    const count = async (sql: string) => Number((await read(sql))[0]!.n);
    const pending = () => count("SELECT COUNT(*) AS n FROM bridge_commands WHERE state <> 'filled'");
    await waitFor(async () => (await pending()) === 0, 40_000, "every leg filled");
    const drainMs = Date.now() - restartedAt;

    expect(await count("SELECT COUNT(*) AS n FROM fires WHERE state = 'filled'")).toBe(USERS.length);
    const legs = (await read("SELECT id, fire_id, state, deliveries FROM bridge_commands")) as Array<{
      id: string;
      fire_id: string;
      state: string;
      deliveries: number;
    }>;
    expect(legs).toHaveLength(USERS.length * 2);
    expect(legs.every((l) => l.state === "filled")).toBe(true);
    expect([...opens.keys()].sort()).toEqual(legs.map((l) => l.id).sort());
    expect([...opens.values()].every((n) => n === 1)).toBe(true); // opened exactly once, every one
    for (const id of USERS) {
      const positions = terminals.get(id)!.positions();
      expect(positions, `terminal ${id}`).toHaveLength(2);
      expect(new Set(positions.map((p) => p.fire_id))).toEqual(new Set([fireOf.get(id)]));
    }
    const redelivered = legs.filter((l) => l.deliveries > 1).length;
    expect(redelivered).toBeGreaterThanOrEqual(crashing.length); // the unreported legs came back
    console.log(
      `crash-paper: ${USERS.length} paper terminals, ${crashing.length} crashed after executing; server SIGKILLed; ` +
        `${redelivered} legs redelivered and deduped; all filled ${drainMs} ms after restart (DB_SYNCHRONOUS=FULL)`,
    );
  }, 90_000);
});
