/**
 * Several terminals per trader through a crash: one trader, three paper terminals (their own
 * tokens, balances and brokers) on the REAL server process. Two terminals die right after
 * executing their first leg, before reporting it, and the server is SIGKILLed; then everything
 * comes back. Each terminal must still hold exactly its own legs, each opened once.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { PaperTerminal } from "../../bridge/paper/index.ts";
import type { HeartbeatSymbol } from "../../bridge/protocol.ts";
import { LOCAL_BOT_TOKEN } from "../../server/config/index.ts";
import { signInitData } from "../support/harness.ts";
import { spec } from "../support/paper.ts";
import { waitFor } from "../support/wait.ts";
import { cleanupsAfterEach, crashPaperTerminal, createCrashSignal, startCrashServer } from "./support/crash-rig.ts";

const TRADER = 700_001;
const tma = { authorization: `tma ${signInitData({ id: TRADER }, LOCAL_BOT_TOKEN)}` };
const TERMINALS: Array<{ name: string; currency: string; balance: number; symbol: HeartbeatSymbol; crash: boolean }> = [
  { name: "first", currency: "USD", balance: 10_000, symbol: spec("EURUSD"), crash: false },
  {
    name: "FTMO",
    currency: "EUR",
    balance: 50_000,
    symbol: spec("EURUSD.m", { tick_value: 0.92, volume_step: 0.1, volume_min: 0.1 }),
    crash: true,
  },
  { name: "Pepper", currency: "GBP", balance: 8_000, symbol: spec("EURUSD", { tick_value: 0.79 }), crash: true },
];

const cleanups = cleanupsAfterEach();

describe("crash: a fire over several terminals while the server is SIGKILLed", () => {
  it("gives each terminal its own legs exactly once after everything restarts", async () => {
    // On the postgres project the server process runs on its own PostgreSQL database.
    const rig = await startCrashServer(cleanups, { tmpPrefix: "sortie-crash-terminals-", sockets: 8 });
    const { client } = rig;

    const opens = new Map<string, number>(); // command id → positions opened, over every instance
    const make = (i: number, token: string): PaperTerminal => {
      const t = TERMINALS[i]!;
      return crashPaperTerminal(cleanups, opens, {
        baseUrl: rig.server.url,
        token,
        stateFile: join(rig.dir, `paper-${t.name}.json`),
        account: { login: 100 + i, server: `${t.name}-Live`, currency: t.currency, balance: t.balance },
        symbol: t.symbol,
      });
    };

    const tokens: string[] = [];
    const first = await client.post("/api/me/bridge-token", {}, tma);
    tokens.push((JSON.parse(first.body) as { token: string }).token);
    for (const t of TERMINALS.slice(1)) {
      const res = await client.post("/api/me/terminals", { name: t.name }, tma);
      expect(res.status, res.body).toBe(201);
      tokens.push((JSON.parse(res.body) as { terminal: { token: string } }).terminal.token);
    }
    const terminals = TERMINALS.map((_, i) => make(i, tokens[i]!));
    for (const terminal of terminals) await terminal.start();
    await waitFor(
      async () => {
        const list = JSON.parse((await client.get("/api/me/terminals", tma)).body) as {
          terminals: Array<{ online: boolean; account: unknown }>;
        };
        return list.terminals.length === 3 && list.terminals.every((t) => t.online && t.account);
      },
      10_000,
      "three terminals online",
    );

    const signalId = await createCrashSignal(client);
    TERMINALS.forEach((t, i) => {
      if (t.crash) terminals[i]!.crashAfterExecute();
    });
    const answer = await client.post("/api/fire", { signal_id: signalId }, tma);
    expect(answer.status, answer.body).toBe(202);
    const fireId = (JSON.parse(answer.body) as { fire: { id: string } }).fire.id;

    // The crashing terminals execute a leg and die unreported; then the server dies too.
    const crashing = TERMINALS.flatMap((t, i) => (t.crash ? [i] : []));
    await waitFor(() => crashing.every((i) => terminals[i]!.executedIds().length >= 1), 10_000, "crashes");
    await rig.server.kill();
    for (const i of crashing) {
      terminals[i] = make(i, tokens[i]!); // a new process on the same state file
      await terminals[i]!.start();
    }
    await rig.restart();

    // What the restarted server stored, read beside it: the SQLite file read-only, or PostgreSQL.
    const read = await rig.openReader();
    await waitFor(
      async () => (await read("SELECT COUNT(*) AS n FROM bridge_commands WHERE state <> 'filled'"))[0]!.n === 0,
      40_000,
      "every leg filled",
    );
    const legs = (await read("SELECT id, user_id, deliveries FROM bridge_commands WHERE fire_id = ?", [
      fireId,
    ])) as Array<{
      id: string;
      user_id: number;
      deliveries: number;
    }>;
    expect(legs).toHaveLength(6); // two take-profits on each of three terminals
    expect([...opens.keys()].sort()).toEqual(legs.map((l) => l.id).sort());
    expect([...opens.values()].every((n) => n === 1)).toBe(true); // each opened exactly once
    const rows = [...new Set(legs.map((l) => l.user_id))];
    expect(rows).toHaveLength(3);
    terminals.forEach((terminal, i) => {
      const positions = terminal.positions();
      expect(positions, TERMINALS[i]!.name).toHaveLength(2);
      expect(new Set(positions.map((p) => p.symbol))).toEqual(new Set([TERMINALS[i]!.symbol.name]));
      // Its positions are the legs addressed to its own bridge row, none of another terminal's.
      const own = legs.filter((l) => positions.some((p) => p.command_id === l.id));
      expect(new Set(own.map((l) => l.user_id)).size, TERMINALS[i]!.name).toBe(1);
    });
    expect(legs.filter((l) => l.deliveries > 1).length).toBeGreaterThanOrEqual(crashing.length);
  }, 90_000);
});
