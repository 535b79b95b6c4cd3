import { existsSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildEa } from "../../../bridge/mt5/emu/build.ts";
import { tempDir } from "../../support/tmp.ts";
import { setMarket, startEa } from "./support.ts";

const CHECK_PROGRAM = join(import.meta.dirname, "fixtures", "EmulationCheck.mq5");

/** The MQL5 emulation itself, probed by a small MQL5 program compiled like the EA. */
describe("the MQL5 emulation", () => {
  let silent: Server;
  let silentUrl: string;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    // Accepts connections and never answers: WebRequest must give up with MT5's timeout error.
    silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    silentUrl = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  async function run(dataDir: string, account: "netting" | "hedging") {
    const binary = await buildEa(CHECK_PROGRAM);
    const ea = await startEa({
      binary,
      dataDir,
      server: silentUrl,
      symbols: "EURUSD",
      filling: "ioc",
      account,
      inputs: { SilentUrl: silentUrl },
    });
    expect(await ea.exited).toEqual({ code: 0, signal: null }); // ExpertRemove ends the program
    const checks = Object.fromEntries(
      ea.journal
        .filter((line) => line.startsWith("CHECK "))
        .map((line) => line.slice(6).split("=") as [string, string]),
    );
    return { checks, orders: ea.orders };
  }

  it("keeps files in the sandbox (FILE_COMMON apart), globals across restarts, MT5's WebRequest errors and trade rules", async () => {
    const dir = tempDir("sortie-emu-");
    try {
      setMarket(dir.dir, ["stops_level EURUSD 50", "slippage_points 3"]);
      const { checks, orders } = await run(dir.dir, "netting");
      expect(checks).toMatchObject({
        local_exists: "no",
        common_exists: "yes",
        escape_handle: "-1",
        escape_error: "5002",
        global_before: "none",
        webrequest_unlisted: "-1/4014",
        webrequest_silent: "-1/5202",
        ordercheck_fok: "10030", // the symbol allows IOC only
        deal_fok: "10030",
        deal_volume_off_step: "10014",
        deal_volume_above_max: "10014",
        deal_sl_inside_stops_level: "10016",
        deal_ioc_1: "10009",
        deal_ioc_2: "10009",
        positions: "1", // netting folds both buys into one position
        first_position_volume: "0.30",
        deals: "2",
      });
      expect(existsSync(join(dir.dir, "Common", "Files", "probe", "common.txt"))).toBe(true);
      expect(orders.map((o) => o.retcode)).toEqual([10030, 10014, 10014, 10016, 10009, 10009]);
      // Fills at the ask plus the slippage: 1.08500 + 3 points.
      expect(orders.filter((o) => o.retcode === 10009).map((o) => o.price)).toEqual([1.08503, 1.08503]);

      const again = await run(dir.dir, "netting");
      expect(again.checks).toMatchObject({
        global_before: "1",
        positions: "1",
        first_position_volume: "0.60",
        deals: "4",
      });
    } finally {
      dir.cleanup();
    }
  }, 120_000);

  it("refuses to build a program that uses a builtin it does not implement", async () => {
    await expect(buildEa(join(import.meta.dirname, "fixtures", "MissingBuiltin.mq5"))).rejects.toThrow(
      /'iMA' was not declared|‘iMA’ was not declared/,
    );
  }, 120_000);

  it("opens a position per deal on a hedging account", async () => {
    const dir = tempDir("sortie-emu-");
    try {
      setMarket(dir.dir, ["stops_level EURUSD 50"]);
      const { checks } = await run(dir.dir, "hedging");
      expect(checks).toMatchObject({ positions: "2", first_position_volume: "0.10", deals: "2" });
    } finally {
      dir.cleanup();
    }
  }, 120_000);
});
