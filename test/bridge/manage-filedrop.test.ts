/**
 * Protocol 1.1 over the file-drop transport: Sortie's real bridge service and file-drop watcher,
 * a paper terminal reading `in/` and writing `out/`, a real SQLite file.
 */
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createFileDropTransport, type FileDropTransport } from "../../bridge/filedrop/index.ts";
import { createPaperTerminal, createStaticFeed, type PaperTerminal } from "../../bridge/paper/index.ts";
import { type Harness, startHarness } from "../support/harness.ts";
import { spec } from "../support/paper.ts";
import { waitFor } from "../support/wait.ts";

const USER = 4242;
let h: Harness;
let transport: FileDropTransport | null = null;
const terminals: PaperTerminal[] = [];
afterEach(async () => {
  for (const t of terminals.splice(0)) await t.stop();
  await transport?.stop();
  await h.close();
});

describe("modify and close over the file drop", () => {
  it("applies a breakeven once across a terminal restart, then closes with the usual closed report", async () => {
    h = await startHarness();
    await h.linkBridge(USER);
    const bridgeDir = join(h.dir, "bridge");
    transport = createFileDropTransport({ dir: bridgeDir, userId: USER, service: h.ctx.bridge, pollMs: 50 });
    await transport.start();
    const feed = createStaticFeed({ EURUSD: { bid: 1.08491, ask: 1.08501 } });
    const make = () => {
      const terminal = createPaperTerminal({
        transport: { kind: "file", dir: bridgeDir, pollMs: 50 },
        stateFile: join(h.dir, "paper.json"),
        account: { login: USER, server: "Paper", currency: "USD", balance: 10_000 },
        symbols: [spec("EURUSD")],
        prices: feed,
        heartbeatMs: 100,
        stopsCheckMs: 20,
      });
      terminals.push(terminal);
      return terminal;
    };
    const first = make();
    await first.start();
    await waitFor(async () => (await h.store.updates.findProtocol(USER)) === "1.1", 5000, "a 1.1 heartbeat");

    const { id: signalId } = await h.createSignal({ take_profit: [1.089, 1.091] });
    expect((await h.fire(USER, signalId)).statusCode).toBe(202);
    await waitFor(() => first.positions().length === 2, 5000, "two positions");
    await waitFor(
      async () => (await h.store.updates.listOpenPositionsOfSignal(signalId)).length === 2,
      5000,
      "legs filled",
    );
    first.setPrice("EURUSD", 1.0871, 1.0872);

    first.crashAfterExecute(); // applies the first modify, saves, dies before writing out/
    const { update } = await h.ctx.updates.create(signalId, { action: "breakeven" }, { source: "api", actor: "test" });
    expect(update.positions).toBe(2);
    await waitFor(() => first.executedIds().some((id) => id.startsWith("p_")), 5000, "first modify executed");
    const second = make();
    await second.start();
    await waitFor(async () => (await h.store.updates.progress(update.id)).applied === 2, 10_000, "both applied");
    for (const p of second.positions()) expect(p.stop_loss).toBe(1.08501);

    const close = (await h.ctx.updates.create(signalId, { action: "close" }, { source: "api", actor: "test" })).update;
    await waitFor(async () => (await h.store.updates.progress(close.id)).applied === 2, 10_000, "closes applied");
    await waitFor(
      async () => (await h.store.fires.findFire(signalId, USER))?.state === "closed",
      10_000,
      "fire closed",
    );
    const fire = (await h.store.fires.findFire(signalId, USER))!;
    expect(fire.legs.map((l) => l.close_price)).toEqual([1.0871, 1.0871]);
    expect(second.positions()).toHaveLength(0);
  }, 30_000);
});
