import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { BridgeCommand } from "../../../bridge/protocol.ts";
import { tempDir } from "../../support/tmp.ts";
import { waitFor } from "../../support/wait.ts";
import { makeCommand } from "../support/fixtures.ts";
import { type HttpPeer, startHttpPeer } from "../support/http-peer.ts";
import { createMemoryBridgeService, type MemoryBridgeService } from "../support/memory-service.ts";
import { type EaProcess, setMarket, startEa } from "./support.ts";

const USER = 8;
const TOKEN = "ea-1-1-token";

/**
 * Protocol 1.1 (modify and close after entry) in the EA binary, for the commands the real server
 * never sends (a partial close with a volume, a `position_of` the terminal never opened, a close
 * of a position already closed, the same id again at once): a contract-speaking HTTP peer plays
 * Sortie here. The end-to-end flows with the real server, restart safety included, are in
 * trade-management.test.ts.
 */
describe("the EA binary speaking protocol 1.1", () => {
  let service: MemoryBridgeService;
  let peer: HttpPeer;
  let dir: ReturnType<typeof tempDir>;
  let eas: EaProcess[];

  beforeEach(async () => {
    service = createMemoryBridgeService();
    peer = await startHttpPeer(service, { [TOKEN]: USER });
    dir = tempDir("sortie-ea11-");
    eas = [];
  });
  afterEach(async () => {
    for (const ea of eas) await ea.stop();
    await peer.close();
    dir.cleanup();
  });

  async function start(account: "netting" | "hedging" = "netting") {
    const ea = await startEa({ dataDir: dir.dir, server: peer.baseUrl, token: TOKEN, account });
    eas.push(ea);
    return ea;
  }
  const send = (command: Partial<BridgeCommand> & Record<string, unknown>) =>
    service.enqueue(USER, makeCommand(command as Partial<BridgeCommand>) as BridgeCommand);
  const result = (id: string) => waitFor(() => service.result(id), 30_000, `result of ${id}`);
  const manage = (id: string, action: "modify" | "close", extra: Record<string, unknown>) =>
    ({ id, fire_id: "f_1", leg: 1, action, symbol: "EURUSD.m", position_of: "c_open", ...extra }) as never;

  it.each(["netting", "hedging"] as const)(
    "modifies and closes the position an open command made, each command once (%s account)",
    async (account) => {
      const ea = await start(account);
      await waitFor(() => service.heartbeats.length > 0, 30_000, "heartbeat");
      expect(service.heartbeats[0]!.body).toMatchObject({ protocol: "1.1" });

      send({ id: "c_open", volume: 0.3, stop_loss: 1.083, take_profit: 1.089 });
      const opened = await result("c_open");
      expect(opened).toMatchObject({ status: "filled", volume: 0.3 });
      const ticket = Number(opened.ticket);

      // SL/TP to the tick size; a redelivered modify is answered again but never re-sent.
      service.enqueue(USER, manage("c_mod", "modify", { stop_loss: 1.08400004, take_profit: 1.0905 }));
      expect(await result("c_mod")).toMatchObject({ status: "filled" });
      service.enqueue(USER, manage("c_mod", "modify", { stop_loss: 1.08400004, take_profit: 1.0905 }));
      await result("c_mod");
      const sltp = ea.orders.filter((o) => o.action === "sltp");
      expect(sltp.map((o) => [o.sl, o.tp, o.position, o.retcode])).toEqual([[1.084, 1.0905, ticket, 10009]]);

      // A stop above the bid of a BUY is refused before the broker hears of it.
      service.enqueue(USER, manage("c_bad", "modify", { stop_loss: 1.086, take_profit: null }));
      expect(await result("c_bad")).toMatchObject({
        status: "rejected",
        message: expect.stringMatching(/invalid stops/),
      });

      // A partial close on the volume step, then the market closes, then the rest.
      service.enqueue(USER, manage("c_part", "close", { volume: 0.1 }));
      expect(await result("c_part")).toMatchObject({
        status: "filled",
        volume: 0.1,
        message: "closed 0.1 of 0.3 lots",
      });
      setMarket(dir.dir, ["market_closed EURUSD.m 1"]);
      service.enqueue(USER, manage("c_shut", "close", { volume: null }));
      expect(await result("c_shut")).toMatchObject({
        status: "rejected",
        message: expect.stringMatching(/market is closed/),
      });
      setMarket(dir.dir, ["market_closed EURUSD.m 0"]);
      service.enqueue(USER, manage("c_all", "close", { volume: null }));
      expect(await result("c_all")).toMatchObject({ status: "filled", volume: 0.2, message: "closed" });
      const closes = ea.orders.filter((o) => o.action === "deal" && o.position === ticket);
      expect(closes.map((o) => [o.side, o.volume, o.retcode])).toEqual([
        ["SELL", 0.1, 10009],
        ["SELL", 0.2, 10018],
        ["SELL", 0.2, 10009],
      ]);
      // The usual closed report for the open command, and nothing for the manage commands.
      const closed = await waitFor(() => service.closed("c_open"), 30_000, "closed report");
      expect(closed).toMatchObject({ ticket, close_price: 1.0849 });
      expect(service.closedPosts.map((c) => c.id)).toEqual(["c_open"]);

      service.enqueue(USER, manage("c_again", "close", { volume: null }));
      expect(await result("c_again")).toMatchObject({ status: "rejected", message: "position already closed" });
      service.enqueue(USER, manage("c_stranger", "close", { volume: null, position_of: "c_never" }));
      expect(await result("c_stranger")).toMatchObject({
        status: "rejected",
        message: "position not found in the terminal",
      });
    },
    90_000,
  );
});
