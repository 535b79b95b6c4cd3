import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFileDropTransport, type FileDropTransport } from "../../bridge/filedrop/index.ts";
import {
  createPaperTerminal,
  createStaticFeed,
  type PaperEvents,
  type PaperTerminal,
  type PaperTerminalOptions,
  type PriceFeed,
} from "../../bridge/paper/index.ts";
import { delay, EURUSD_M, makeCommand, makeTempDir, waitFor, XAUUSD_M } from "./support/fixtures.ts";
import { type HttpPeer, startHttpPeer } from "./support/http-peer.ts";
import { createMemoryBridgeService, type MemoryBridgeService } from "./support/memory-service.ts";

const USER = 42;
const TOKEN = "bridge-token-42";

let dir: { path: string; remove(): Promise<void> };
let service: MemoryBridgeService;
let peer: HttpPeer | null;
let prices: PriceFeed;
let terminals: PaperTerminal[];
let logs: string[];

function makeTerminal(overrides: Partial<PaperTerminalOptions> = {}): PaperTerminal {
  const terminal = createPaperTerminal({
    transport: { kind: "http", baseUrl: peer!.baseUrl, token: TOKEN, pollWaitS: 1 },
    stateFile: join(dir.path, "paper-state.json"),
    account: { login: 5_001_234, server: "Paper-Demo", currency: "USD", balance: 10_000, leverage: 100 },
    symbols: [EURUSD_M, XAUUSD_M],
    prices,
    heartbeatMs: 100,
    retryBaseMs: 50,
    retryMaxMs: 200,
    stopsCheckMs: 20,
    log: (line) => logs.push(line),
    ...overrides,
  });
  terminals.push(terminal);
  return terminal;
}

function recordExecuted(terminal: PaperTerminal): PaperEvents["executed"][] {
  const seen: PaperEvents["executed"][] = [];
  terminal.on("executed", (event) => seen.push(event));
  return seen;
}

beforeEach(async () => {
  dir = await makeTempDir("paper");
  service = createMemoryBridgeService({ visibilityMs: 400 });
  peer = await startHttpPeer(service, { [TOKEN]: USER });
  prices = createStaticFeed({ "EURUSD.m": { bid: 1.085, ask: 1.08502 }, "XAUUSD.m": { bid: 2400, ask: 2400.3 } });
  terminals = [];
  logs = [];
});

afterEach(async () => {
  for (const terminal of terminals) terminal.crash();
  await peer?.close();
  await dir.remove();
});

describe("paper terminal over HTTP", () => {
  it("sends heartbeats with the account, the broker's symbols and prices", async () => {
    const terminal = makeTerminal();
    await terminal.start();
    const { body } = await waitFor(() => service.heartbeats[0], 5000, "a heartbeat");
    expect(body.account).toEqual({
      login: 5_001_234,
      server: "Paper-Demo",
      currency: "USD",
      balance: 10_000,
      equity: 10_000,
      trade_allowed: true,
    });
    expect(body.symbols?.map((symbol) => symbol.name)).toEqual(["EURUSD.m", "XAUUSD.m"]);
    expect(body.prices?.[0]).toMatchObject({ symbol: "EURUSD.m", bid: 1.085, ask: 1.08502 });
    expect(peer!.requests).toContain("GET /bridge/v1/commands");
  });

  it("fills a BUY at the ask with retcode 10009, a ticket, and the command id in the position comment", async () => {
    const terminal = makeTerminal();
    await terminal.start();
    const command = makeCommand();
    service.enqueue(USER, command);
    const result = await waitFor(() => service.result(command.id), 5000, "the result");
    expect(result).toMatchObject({ id: command.id, status: "filled", retcode: 10009, price: 1.08502, volume: 0.1 });
    const [position] = terminal.positions();
    expect(position).toMatchObject({ ticket: result.ticket, comment: command.id, side: "BUY", open_price: 1.08502 });
    expect(terminal.executedIds()).toEqual([command.id]);
    const second = makeCommand();
    service.enqueue(USER, second);
    const secondResult = await waitFor(() => service.result(second.id), 5000, "the second result");
    expect(secondResult.ticket).toBe(Number(result.ticket) + 1);
  });

  it("fills a SELL at the bid and judges its entry distance on the bid", async () => {
    prices.set?.("EURUSD.m", 1.085, 1.0856); // a wide spread: the ask is 6 pips from the entry
    const terminal = makeTerminal();
    await terminal.start();
    const command = makeCommand({ side: "SELL", entry: 1.085, stop_loss: 1.087, take_profit: 1.082 });
    service.enqueue(USER, command);
    const result = await waitFor(() => service.result(command.id), 5000, "the result");
    expect(result).toMatchObject({ status: "filled", price: 1.085 });
    expect(terminal.positions()[0]?.side).toBe("SELL");
  });

  it("rejects with the forced retcode and a plain-language message, opening nothing", async () => {
    const terminal = makeTerminal();
    await terminal.start();
    terminal.rejectNext(10019);
    const command = makeCommand();
    service.enqueue(USER, command);
    const result = await waitFor(() => service.result(command.id), 5000, "the result");
    expect(result).toMatchObject({ status: "rejected", retcode: 10019, message: "not enough money", ticket: null });
    expect(terminal.positions()).toEqual([]);
  });

  it("retries transient retcodes itself and gives up after three attempts", async () => {
    const terminal = makeTerminal();
    await terminal.start();
    terminal.rejectNext(10004, 2);
    const retried = makeCommand();
    service.enqueue(USER, retried);
    expect(await waitFor(() => service.result(retried.id), 5000, "the result")).toMatchObject({ status: "filled" });
    terminal.rejectNext(10020, 3);
    const abandoned = makeCommand();
    service.enqueue(USER, abandoned);
    const result = await waitFor(() => service.result(abandoned.id), 5000, "the result");
    expect(result).toMatchObject({ status: "rejected", retcode: 10020 });
    expect(result.message).toContain("prices changed");
    expect(terminal.positions()).toHaveLength(1);
  });

  it("refuses a command past expires_at: failed, message expired", async () => {
    const terminal = makeTerminal();
    await terminal.start();
    const command = makeCommand({ expires_at: new Date(Date.now() - 1000).toISOString() });
    service.enqueue(USER, command);
    const result = await waitFor(() => service.result(command.id), 5000, "the result");
    expect(result).toMatchObject({ status: "failed", message: "expired" });
    expect(terminal.positions()).toEqual([]);
  });

  it("refuses a command whose market price moved beyond max_entry_distance: rejected, price moved", async () => {
    const terminal = makeTerminal();
    await terminal.start();
    const command = makeCommand({ entry: 1.0846, max_entry_distance: 0.0003 });
    service.enqueue(USER, command);
    const result = await waitFor(() => service.result(command.id), 5000, "the result");
    expect(result).toMatchObject({ status: "rejected", message: "price moved" });
    expect(terminal.positions()).toEqual([]);
  });

  it("refuses a symbol the account does not have", async () => {
    const terminal = makeTerminal();
    await terminal.start();
    const command = makeCommand({ symbol: "EURUSD" });
    service.enqueue(USER, command);
    const result = await waitFor(() => service.result(command.id), 5000, "the result");
    expect(result).toMatchObject({ status: "rejected", retcode: 0, message: "unknown symbol EURUSD at this broker" });
  });

  it("puts the EA's comment tag on the position: the id itself, or head + hash when over 31 characters", async () => {
    const terminal = makeTerminal();
    await terminal.start();
    const short = makeCommand({ id: "c_short_id" });
    const long = makeCommand({ id: "c_01JDQ4Z8X9M2V5T7K3N6P8R0W2_leg1" });
    service.enqueue(USER, short);
    service.enqueue(USER, long);
    await waitFor(() => service.result(short.id) && service.result(long.id), 5000, "both fills");
    const comments = terminal.positions().map((position) => position.comment);
    expect(comments[0]).toBe("c_short_id");
    expect(comments[1]).toMatch(/^c_01JDQ4Z8X9M2V5T7K3N6~[0-9A-F]{8}$/);
    expect(comments[1]).toHaveLength(31);
  });

  it("never resends an order interrupted after its id was recorded: it reports failed instead", async () => {
    const state = { version: 1, executed: { c_interrupted: null }, nextTicket: 7, balance: 10_000 };
    await writeFile(join(dir.path, "paper-state.json"), JSON.stringify(state));
    const terminal = makeTerminal();
    await terminal.start();
    service.enqueue(USER, makeCommand({ id: "c_interrupted" }));
    const result = await waitFor(() => service.result("c_interrupted"), 5000, "the result");
    expect(result).toMatchObject({ status: "failed", retcode: 0 });
    expect(result.message).toContain("not sent again to avoid a duplicate");
    expect(terminal.positions()).toEqual([]);
  });

  it("after a crash between execution and report, a restart re-reports the stored result and trades nothing", async () => {
    const first = makeTerminal();
    await first.start();
    first.crashAfterExecute();
    const command = makeCommand();
    service.enqueue(USER, command);
    await waitFor(() => first.executedIds().includes(command.id), 5000, "the execution");
    await delay(300);
    expect(service.resultPosts).toEqual([]);
    const saved = JSON.parse(await readFile(join(dir.path, "paper-state.json"), "utf8"));
    expect(saved.executed[command.id]).toMatchObject({ status: "filled" });

    const second = makeTerminal();
    const executed = recordExecuted(second);
    await second.start();
    const result = await waitFor(() => service.result(command.id), 5000, "the re-reported result");
    expect(service.deliveries(command.id)).toBeGreaterThanOrEqual(2);
    expect(result).toMatchObject({ status: "filled", ticket: saved.executed[command.id].ticket });
    expect(second.positions()).toHaveLength(1);
    expect(executed.every((event) => event.duplicate)).toBe(true);
  });

  it("when a result is lost, the redelivered command is answered from memory, never executed twice", async () => {
    const terminal = makeTerminal();
    const executed = recordExecuted(terminal);
    await terminal.start();
    terminal.loseNextResult();
    const command = makeCommand();
    service.enqueue(USER, command);
    const result = await waitFor(() => service.result(command.id), 5000, "the result after redelivery");
    expect(service.deliveries(command.id)).toBeGreaterThanOrEqual(2);
    expect(terminal.positions()).toHaveLength(1);
    expect(result.ticket).toBe(terminal.positions()[0]?.ticket);
    const [first, ...redeliveries] = executed.map((event) => event.duplicate);
    expect(first).toBe(false);
    expect(redeliveries.length).toBeGreaterThanOrEqual(1);
    expect(redeliveries.every(Boolean)).toBe(true);
  });

  it("closes a BUY at take profit and a SELL at stop loss with profit from tick size and tick value", async () => {
    const terminal = makeTerminal();
    await terminal.start();
    const buy = makeCommand();
    const sell = makeCommand({
      symbol: "XAUUSD.m",
      side: "SELL",
      volume: 0.05,
      entry: 2400,
      max_entry_distance: 1,
      stop_loss: 2405,
      take_profit: 2390,
    });
    service.enqueue(USER, buy);
    service.enqueue(USER, sell);
    await waitFor(() => service.result(buy.id) && service.result(sell.id), 5000, "both fills");

    terminal.setPrice("EURUSD.m", 1.0871, 1.08712);
    terminal.setPrice("XAUUSD.m", 2405, 2405.3);
    const buyClosed = await waitFor(() => service.closed(buy.id), 5000, "the BUY close");
    const sellClosed = await waitFor(() => service.closed(sell.id), 5000, "the SELL close");
    // (1.08710 − 1.08502) / 0.00001 × 1 × 0.10 = 20.80
    expect(buyClosed).toMatchObject({ close_price: 1.0871, profit: 20.8 });
    // −(2405.30 − 2400.00) / 0.01 × 1 × 0.05 = −26.50 (a SELL buys back at the ask)
    expect(sellClosed).toMatchObject({ close_price: 2405.3, profit: -26.5 });
    expect(buyClosed.ticket).toBe(service.result(buy.id)?.ticket);
    expect(buyClosed.closed_at).toMatch(/Z$/);
    expect(terminal.positions()).toEqual([]);
    expect(terminal.closedPositions().map((closed) => closed.reason)).toEqual(["take_profit", "stop_loss"]);
    expect(terminal.balance()).toBe(9994.3);
    await waitFor(() => service.heartbeats.at(-1)?.body.account.balance === 9994.3, 5000, "the new balance");
  });

  it("keeps reports while the server is down, survives it, and delivers them after a restart", async () => {
    const first = makeTerminal();
    await first.start();
    first.setSlowMs(400);
    const command = makeCommand();
    service.enqueue(USER, command);
    await waitFor(() => service.deliveries(command.id) === 1, 5000, "the delivery");
    const port = peer!.port;
    await peer!.close();
    peer = null;
    await waitFor(() => first.pendingReports().length === 1, 5000, "the queued report");
    await delay(300);
    await first.stop();
    const saved = JSON.parse(await readFile(join(dir.path, "paper-state.json"), "utf8"));
    expect(saved.outbox).toEqual([{ kind: "result", body: expect.objectContaining({ id: command.id }) }]);

    peer = await startHttpPeer(service, { [TOKEN]: USER }, port);
    const second = makeTerminal();
    await second.start();
    expect(await waitFor(() => service.result(command.id), 5000, "the late result")).toMatchObject({
      status: "filled",
    });
    await waitFor(() => second.pendingReports().length === 0, 5000, "an empty queue");
    expect(second.positions()).toHaveLength(1);
    expect(logs.some((line) => line.includes("will retry"))).toBe(true);
  });
});

describe("paper terminal over file drop", () => {
  let transport: FileDropTransport;
  afterEach(async () => {
    await transport.stop();
  });

  it("trades through Sortie's file-drop transport and survives a crash after execute", async () => {
    const bridgeDir = join(dir.path, "sortie");
    transport = createFileDropTransport({ dir: bridgeDir, userId: USER, service, pollMs: 50 });
    await transport.start();
    const fileOptions: Partial<PaperTerminalOptions> = { transport: { kind: "file", dir: bridgeDir, pollMs: 50 } };
    const first = makeTerminal(fileOptions);
    await first.start();
    await waitFor(() => service.heartbeats.length > 0, 5000, "a heartbeat");

    const command = makeCommand();
    service.enqueue(USER, command);
    expect(await waitFor(() => service.result(command.id), 5000, "the result")).toMatchObject({ status: "filled" });

    first.crashAfterExecute();
    const crashed = makeCommand();
    service.enqueue(USER, crashed);
    await waitFor(() => first.executedIds().includes(crashed.id), 5000, "the execution");
    // The command file stays until its result is reported; the restart reads it again.
    await readFile(join(bridgeDir, "in", `${crashed.id}.json`), "utf8");
    expect(service.result(crashed.id)).toBeNull();

    const second = makeTerminal(fileOptions);
    await second.start();
    expect(await waitFor(() => service.result(crashed.id), 5000, "the result")).toMatchObject({ status: "filled" });
    expect(second.positions()).toHaveLength(2);

    second.setPrice("EURUSD.m", 1.0871, 1.08712);
    const closed = await waitFor(() => service.closed(command.id), 5000, "the close");
    expect(closed).toMatchObject({ profit: 20.8, close_price: 1.0871 });
  });
});
