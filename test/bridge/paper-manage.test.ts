/** The paper terminal's protocol 1.1: modify and close (full or partial), at most once per id. */
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createPaperTerminal,
  createStaticFeed,
  type PaperEvents,
  type PaperTerminal,
} from "../../bridge/paper/index.ts";
import type { CloseCommand, ModifyCommand } from "../../bridge/protocol.ts";
import { EURUSD_M, makeCommand, makeTempDir, waitFor } from "./support/fixtures.ts";
import { type HttpPeer, startHttpPeer } from "./support/http-peer.ts";
import { createMemoryBridgeService, type MemoryBridgeService } from "./support/memory-service.ts";

const USER = 43;
const TOKEN = "bridge-token-43";
let dir: { path: string; remove(): Promise<void> };
let service: MemoryBridgeService;
let peer: HttpPeer;
const terminals: PaperTerminal[] = [];

beforeEach(async () => {
  dir = await makeTempDir("paper-manage");
  service = createMemoryBridgeService({ visibilityMs: 400 });
  peer = await startHttpPeer(service, { [TOKEN]: USER });
});
afterEach(async () => {
  for (const t of terminals.splice(0)) t.crash();
  await peer.close();
  await dir.remove();
});

function start(protocol: "1" | "1.1" = "1.1") {
  const terminal = createPaperTerminal({
    transport: { kind: "http", baseUrl: peer.baseUrl, token: TOKEN, pollWaitS: 1 },
    stateFile: join(dir.path, "state.json"),
    account: { login: 1, server: "Paper", currency: "USD", balance: 10_000 },
    symbols: [EURUSD_M],
    prices: createStaticFeed({ "EURUSD.m": { bid: 1.087, ask: 1.08702 } }),
    protocol,
    heartbeatMs: 100,
    retryBaseMs: 50,
    retryMaxMs: 200,
  });
  terminals.push(terminal);
  const executed: PaperEvents["executed"][] = [];
  terminal.on("executed", (e) => executed.push(e));
  return { terminal, executed, ready: terminal.start() };
}

let seq = 0;
const modify = (positionOf: string, stop: number, target: number | null): ModifyCommand => ({
  id: `p_mod${++seq}`,
  fire_id: "f_x",
  leg: 1,
  action: "modify",
  symbol: "EURUSD.m",
  position_of: positionOf,
  stop_loss: stop,
  take_profit: target,
});
const close = (positionOf: string, volume: number | null): CloseCommand => ({
  id: `p_close${++seq}`,
  fire_id: "f_x",
  leg: 1,
  action: "close",
  symbol: "EURUSD.m",
  position_of: positionOf,
  volume,
});
const send = (command: ModifyCommand | CloseCommand) => service.enqueue(USER, command as never);

describe("paper terminal, protocol 1.1", () => {
  it("announces 1.1, modifies on the tick size, refuses stops on the wrong side, closes part then all", async () => {
    const { terminal, executed, ready } = start();
    await ready;
    const heartbeat = await waitFor(() => service.heartbeats[0], 5000, "heartbeat");
    expect(heartbeat.body.protocol).toBe("1.1");
    const open = makeCommand({ entry: 1.08702, max_entry_distance: 0.001, stop_loss: 1.085, take_profit: 1.09 });
    service.enqueue(USER, open);
    await waitFor(() => service.result(open.id), 5000, "filled");

    const moved = modify(open.id, 1.0860049, 1.0912);
    send(moved);
    expect(await waitFor(() => service.result(moved.id), 5000, "applied")).toMatchObject({
      status: "filled",
      retcode: 10009,
    });
    expect(terminal.positions()[0]).toMatchObject({ stop_loss: 1.086, take_profit: 1.0912 });

    const wrong = modify(open.id, 1.0875, 1.0912); // a BUY's stop above the bid
    send(wrong);
    const refused = await waitFor(() => service.result(wrong.id), 5000, "refused");
    expect(refused).toMatchObject({ status: "rejected", retcode: 10016 });
    expect(refused.message).toContain("invalid stops");

    const part = close(open.id, 0.045); // floored to the 0.01 step: 0.04
    send(part);
    expect(await waitFor(() => service.result(part.id), 5000, "partial")).toMatchObject({
      status: "filled",
      volume: 0.04,
    });
    expect(terminal.positions()[0]!.volume).toBe(0.06);
    expect(service.closed(open.id)).toBeNull();

    const rest = close(open.id, null);
    send(rest);
    expect(await waitFor(() => service.result(rest.id), 5000, "closed")).toMatchObject({
      status: "filled",
      volume: 0.06,
    });
    expect(await waitFor(() => service.closed(open.id), 5000, "closed report")).toMatchObject({ close_price: 1.087 });
    expect(terminal.positions()).toHaveLength(0);

    const late = modify(open.id, 1.086, null);
    send(late);
    expect(await waitFor(() => service.result(late.id), 5000, "late")).toMatchObject({
      status: "rejected",
      message: "position already closed",
    });
    const firstTimes = executed.filter((e) => !e.duplicate).map((e) => e.id);
    expect(new Set(firstTimes).size).toBe(firstTimes.length); // each id executed once
  });

  it("applies a modify once across a crash before reporting: the redelivery re-reports it", async () => {
    const first = start();
    await first.ready;
    const open = makeCommand({ entry: 1.08702, max_entry_distance: 0.001, stop_loss: 1.085, take_profit: 1.09 });
    service.enqueue(USER, open);
    await waitFor(() => service.result(open.id), 5000, "filled");
    first.terminal.crashAfterExecute();
    const moved = modify(open.id, 1.086, 1.09);
    send(moved);
    await waitFor(() => first.executed.some((e) => e.id === moved.id), 5000, "executed");
    expect(service.result(moved.id)).toBeNull();
    const second = start();
    await second.ready;
    expect(await waitFor(() => service.result(moved.id), 5000, "reported")).toMatchObject({ status: "filled" });
    expect(second.executed.filter((e) => e.id === moved.id)).toMatchObject([{ duplicate: true }]);
    expect(second.terminal.positions()[0]!.stop_loss).toBe(1.086);
  });

  it("as protocol 1 (an old EA) sends no protocol and refuses modify as a bad command", async () => {
    const { ready } = start("1");
    await ready;
    const heartbeat = await waitFor(() => service.heartbeats[0], 5000, "heartbeat");
    expect(heartbeat.body.protocol).toBeUndefined();
    const moved = modify("c_any", 1.086, null);
    send(moved);
    const result = await waitFor(() => service.result(moved.id), 5000, "refused");
    expect(result).toMatchObject({ status: "failed" });
    expect(result.message).toContain("bad command");
  });
});
