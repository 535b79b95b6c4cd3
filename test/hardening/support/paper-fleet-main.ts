/**
 * A process hosting many paper terminals (the EA stand-in), so tests can run terminals apart from
 * the test and the server, and SIGKILL them. Config as JSON in argv[2]:
 * `{"baseUrl", "dir", "terminals": [{"id", "token", "ask", "protocol"}]}`. Writes one JSON line per
 * event on stdout (`ready`, `executed` with `dup`, `closed`); reads one JSON command per stdin line:
 * `{"cmd": "price", "bid", "ask"}`, `{"cmd": "crashAfterExecute", "ids": [..]}` (those terminals
 * execute their next command, save it, and die before reporting; they come back 300 ms later on the
 * same state file, like a restarted terminal).
 */
import { join } from "node:path";
import { createInterface } from "node:readline";
import { createPaperTerminal, createStaticFeed, type PaperTerminal } from "../../../bridge/paper/index.ts";
import { spec } from "../../support/paper.ts";
import type { PaperFleetConfig } from "./paper-fleet.ts";

const config = JSON.parse(process.argv[2] ?? "{}") as PaperFleetConfig;
const out = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);
const terminals = new Map<number, PaperTerminal>();
const feeds = new Map<number, ReturnType<typeof createStaticFeed>>();
const crashArmed = new Set<number>();

function make(entry: PaperFleetConfig["terminals"][number]): PaperTerminal {
  let feed = feeds.get(entry.id);
  if (!feed) {
    feed = createStaticFeed({ EURUSD: { bid: Number((entry.ask - 0.0001).toFixed(5)), ask: entry.ask } });
    feeds.set(entry.id, feed);
  }
  const terminal = createPaperTerminal({
    transport: { kind: "http", baseUrl: config.baseUrl, token: entry.token, pollWaitS: 2 },
    stateFile: join(config.stateDir ?? config.dir, `paper-${entry.id}.json`),
    account: { login: entry.id, server: "Paper-Fleet", currency: "USD", balance: 10_000 },
    symbols: [spec("EURUSD")],
    prices: feed,
    protocol: entry.protocol ?? "1.1",
    heartbeatMs: config.heartbeatMs ?? 1000,
    retryBaseMs: 100,
    retryMaxMs: 1000,
    stopsCheckMs: config.stopsCheckMs ?? 100,
  });
  terminal.on("executed", (e) => {
    out({
      e: "executed",
      user: entry.id,
      id: e.id,
      dup: e.duplicate,
      status: e.result.status,
      action: e.command?.action ?? null,
    });
    if (!e.duplicate && crashArmed.delete(entry.id)) {
      // The knob has crashed it by now: come back as a new process would, on the same state file.
      setTimeout(() => {
        const again = make(entry);
        terminals.set(entry.id, again);
        void again.start().then(() => out({ e: "restarted", user: entry.id }));
      }, 300);
    }
  });
  terminal.on("closed", (c) => out({ e: "closed", user: entry.id, id: c.command_id, profit: c.profit }));
  return terminal;
}

await Promise.all(
  config.terminals.map(async (entry) => {
    const terminal = make(entry);
    terminals.set(entry.id, terminal);
    await terminal.start();
  }),
);
out({ e: "ready", count: terminals.size });

createInterface({ input: process.stdin }).on("line", (line) => {
  const message = JSON.parse(line) as { cmd: string; bid?: number; ask?: number; ids?: number[] };
  if (message.cmd === "price") {
    for (const terminal of terminals.values()) terminal.setPrice("EURUSD", message.bid!, message.ask!);
    out({ e: "priced" });
  } else if (message.cmd === "crashAfterExecute") {
    for (const id of message.ids ?? []) {
      crashArmed.add(id);
      terminals.get(id)?.crashAfterExecute();
    }
    out({ e: "armed" });
  }
});
process.on("SIGTERM", () => {
  void Promise.all([...terminals.values()].map((t) => t.stop())).then(() => process.exit(0));
});
