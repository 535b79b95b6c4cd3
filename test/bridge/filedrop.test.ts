import { spawn } from "node:child_process";
import { appendFile, mkdir, readdir, readFile, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFileDropTransport, type FileDropTransport, writeFileAtomic } from "../../bridge/filedrop/index.ts";
import type { Heartbeat } from "../../bridge/protocol.ts";
import { delay, EURUSD_M, makeCommand, makeTempDir, waitFor } from "./support/fixtures.ts";
import { createMemoryBridgeService, type MemoryBridgeService } from "./support/memory-service.ts";

const USER = 7;

let dir: { path: string; remove(): Promise<void> };
let service: MemoryBridgeService;
let logs: string[];
let transports: FileDropTransport[];

function startTransport(bridgeDir = dir.path): Promise<FileDropTransport> {
  const transport = createFileDropTransport({
    dir: bridgeDir,
    userId: USER,
    service,
    pollMs: 50,
    settleMs: 300,
    tmpStaleMs: 500,
    log: (line) => logs.push(line),
  });
  transports.push(transport);
  return transport.start().then(() => transport);
}

const heartbeat = (balance: number): Heartbeat => ({
  account: { login: 1, server: "Paper-Demo", currency: "USD", balance, equity: balance, trade_allowed: true },
  symbols: [EURUSD_M],
  prices: [{ symbol: "EURUSD.m", bid: 1.085, ask: 1.08502, time: new Date().toISOString() }],
});

const list = (sub: string) => readdir(join(dir.path, sub));
/** The terminal's report that the position of command `id` closed (ticket 9, +20.8 at 1.0871), now. */
const closedReport = (id: string) => ({
  id,
  ticket: 9,
  close_price: 1.0871,
  profit: 20.8,
  closed_at: new Date().toISOString(),
});

beforeEach(async () => {
  dir = await makeTempDir("filedrop");
  service = createMemoryBridgeService({ visibilityMs: 300 });
  logs = [];
  transports = [];
});

afterEach(async () => {
  for (const transport of transports) await transport.stop();
  await dir.remove();
});

describe("file-drop transport", () => {
  it("creates in/, out/ and quarantine/", async () => {
    await startTransport(join(dir.path, "nested", "sortie"));
    expect((await readdir(join(dir.path, "nested", "sortie"))).sort()).toEqual(["in", "out", "quarantine"]);
  });

  it("writes each due command as in/<id>.json and never rewrites one still waiting there", async () => {
    await startTransport();
    const command = makeCommand();
    service.enqueue(USER, command);
    const path = join(dir.path, "in", `${command.id}.json`);
    await waitFor(() => stat(path).catch(() => null), 5000, "the command file");
    expect(JSON.parse(await readFile(path, "utf8"))).toEqual(command);
    const before = await stat(path);
    await waitFor(() => service.deliveries(command.id) >= 3, 5000, "redeliveries");
    const after = await stat(path);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
    expect(await list("in")).toEqual([`${command.id}.json`]);
  });

  it("hands each new heartbeat.json to the service once, and ignores one left over from long ago", async () => {
    await startTransport();
    await writeFileAtomic(join(dir.path, "heartbeat.json"), JSON.stringify(heartbeat(1000)));
    await waitFor(() => service.heartbeats.length === 1, 5000, "the heartbeat");
    await delay(200);
    expect(service.heartbeats).toHaveLength(1);
    const second = heartbeat(1001);
    await writeFileAtomic(join(dir.path, "heartbeat.json"), JSON.stringify(second));
    await waitFor(() => service.heartbeats.length === 2, 5000, "the second heartbeat");
    expect(service.heartbeats[1]).toEqual({ userId: USER, body: second });

    const oldDir = join(dir.path, "old");
    await mkdir(oldDir);
    await writeFile(join(oldDir, "heartbeat.json"), JSON.stringify(heartbeat(5)));
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(join(oldDir, "heartbeat.json"), hourAgo, hourAgo);
    const stale = await startTransport(oldDir);
    await stale.scanNow();
    await delay(200);
    expect(service.heartbeats).toHaveLength(2);
  });

  it("passes results and closed reports to the service, then deletes their files", async () => {
    await startTransport();
    const command = makeCommand();
    service.enqueue(USER, command);
    const result = {
      id: command.id,
      status: "filled",
      retcode: 10009,
      ticket: 9,
      price: 1.08502,
      volume: 0.1,
      message: "done",
    };
    await writeFileAtomic(join(dir.path, "out", `${command.id}.json`), JSON.stringify({ type: "result", ...result }));
    // Without `type`, the contract's file name says which message it is.
    const closed = closedReport(command.id);
    await writeFileAtomic(join(dir.path, "out", `${command.id}.closed.json`), JSON.stringify(closed));
    expect(await waitFor(() => service.result(command.id), 5000, "the result")).toEqual(result);
    expect(await waitFor(() => service.closed(command.id), 5000, "the close")).toEqual(closed);
    await waitFor(async () => (await list("out")).length === 0, 5000, "an empty out/");
    expect(service.touches).toBeGreaterThan(0);
    expect(await list("quarantine")).toEqual([]);
  });

  it("reads a closed report in out/<id>.json, the contract's one name for both messages, by its shape", async () => {
    await startTransport();
    const command = makeCommand();
    service.enqueue(USER, command);
    const result = { id: command.id, status: "filled", retcode: 10009, ticket: 9, price: 1.085, volume: 0.1 };
    await writeFileAtomic(join(dir.path, "out", `${command.id}.json`), JSON.stringify(result));
    expect(await waitFor(() => service.result(command.id), 5000, "the result")).toEqual(result);
    await waitFor(async () => (await list("out")).length === 0, 5000, "the result consumed");
    const closed = closedReport(command.id);
    await writeFileAtomic(join(dir.path, "out", `${command.id}.json`), JSON.stringify(closed));
    expect(await waitFor(() => service.closed(command.id), 5000, "the close")).toEqual(closed);
    await waitFor(async () => (await list("out")).length === 0, 5000, "the close consumed");
    expect(await list("quarantine")).toEqual([]);
  });

  it("quarantines garbage, invalid and abandoned files with a log line, and keeps working", async () => {
    await startTransport();
    const out = (name: string) => join(dir.path, "out", name);
    await writeFile(out("bad.json"), "{not json");
    await writeFile(out("missing.json"), JSON.stringify({ type: "result", id: "c_x" }));
    await writeFile(out("types.json"), JSON.stringify({ type: "closed", id: 5, close_price: "1.1", profit: 1 }));
    await writeFile(out("weird.json"), JSON.stringify({ type: "bonus", id: "c_x" }));
    await writeFile(out("array.json"), "[1, 2]");
    await writeFile(out("notes.txt"), "hello");
    await writeFile(out("foreign.json"), JSON.stringify({ type: "result", id: "c_not_mine", status: "filled" }));
    await writeFile(out("old.tmp"), "{");
    await writeFile(join(dir.path, "in", "old.tmp"), "{");
    const minuteAgo = new Date(Date.now() - 60_000);
    await utimes(out("old.tmp"), minuteAgo, minuteAgo);
    await utimes(join(dir.path, "in", "old.tmp"), minuteAgo, minuteAgo);
    await writeFile(out("fresh.tmp"), '{"type":');
    await writeFile(join(dir.path, "heartbeat.json"), JSON.stringify({ account: { login: 1 } }));
    await writeFile(join(dir.path, "in", "keep.txt"), "the terminal's business");

    const command = makeCommand();
    service.enqueue(USER, command);
    await writeFileAtomic(
      out(`${command.id}.json`),
      JSON.stringify({ type: "result", id: command.id, status: "rejected" }),
    );
    await waitFor(() => service.result(command.id), 5000, "the valid result");
    const quarantined = await waitFor(
      async () => {
        const names = await list("quarantine");
        return names.length === 10 ? names : null;
      },
      5000,
      "ten quarantined files",
    );

    const originals = quarantined.map((name) => name.replace(/^\d+-/, "")).sort();
    expect(originals).toEqual([
      "heartbeat.json",
      "in-old.tmp",
      "out-array.json",
      "out-bad.json",
      "out-foreign.json",
      "out-missing.json",
      "out-notes.txt",
      "out-old.tmp",
      "out-types.json",
      "out-weird.json",
    ]);
    expect(await list("out")).toEqual(["fresh.tmp"]);
    expect(service.heartbeats).toEqual([]);
    expect(service.resultPosts).toHaveLength(1);
    expect(logs.find((line) => line.includes("bad.json"))).toMatch(/quarantined out\/bad\.json: bad JSON/);
    expect(logs.find((line) => line.includes("foreign.json"))).toMatch(
      /refused by the service: command c_not_mine not found/,
    );
    expect(logs.find((line) => line.includes("types.json"))).toMatch(/invalid closed report/);
  });

  it("waits for a report written in pieces instead of quarantining it half-written", async () => {
    await startTransport();
    const command = makeCommand();
    service.enqueue(USER, command);
    const text = JSON.stringify({ type: "result", id: command.id, status: "filled", retcode: 10009 });
    const path = join(dir.path, "out", `${command.id}.json`);
    await writeFile(path, text.slice(0, 20));
    await delay(150);
    await appendFile(path, text.slice(20));
    expect(await waitFor(() => service.result(command.id), 5000, "the result")).toMatchObject({ status: "filled" });
    expect(await list("quarantine")).toEqual([]);
  });

  it("does not write a command whose id is not a safe file name", async () => {
    await startTransport(join(dir.path, "sortie"));
    service.enqueue(USER, makeCommand({ id: "../escape" }));
    await waitFor(() => logs.some((line) => line.includes("cannot be a file name")), 5000, "the log line");
    expect(await readdir(join(dir.path, "sortie", "in"))).toEqual([]);
    expect((await readdir(dir.path)).sort()).toEqual(["sortie"]);
  });

  it("never lets a concurrent reader see a partial in/ file", async () => {
    await startTransport();
    const reader = spawn(process.execPath, ["-e", READER_SCRIPT, join(dir.path, "in"), "4000"]);
    let output = "";
    reader.stdout.on("data", (chunk) => {
      output += chunk;
    });
    const exited = new Promise((resolve) => reader.on("exit", resolve));
    await delay(200);
    const comment = "x".repeat(200_000);
    for (let i = 0; i < 40; i++) service.enqueue(USER, makeCommand({ comment }));
    await waitFor(
      async () => (await list("in")).filter((name) => name.endsWith(".json")).length === 40,
      10_000,
      "40 files",
    );
    await exited;
    const report = JSON.parse(output) as { reads: number; partial: number };
    expect(report.reads).toBeGreaterThan(40);
    expect(report.partial).toBe(0);
    expect((await list("in")).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });
});

/** A separate process that reads every in/*.json as fast as it can and counts unparseable reads. */
const READER_SCRIPT = `
const fs = require("node:fs");
const path = require("node:path");
const [dir, durationMs] = process.argv.slice(1);
const until = Date.now() + Number(durationMs);
let reads = 0, partial = 0;
while (Date.now() < until) {
  for (const name of fs.readdirSync(dir)) {
    if (!name.endsWith(".json")) continue;
    let text;
    try { text = fs.readFileSync(path.join(dir, name), "utf8"); } catch { continue; }
    reads++;
    try { JSON.parse(text); } catch { partial++; }
  }
}
process.stdout.write(JSON.stringify({ reads, partial }));
`;
