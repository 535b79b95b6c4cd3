import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/harness.ts";
import { paperTrader } from "../support/paper.ts";
import { waitFor } from "../support/wait.ts";
import { run, runTs } from "./support/cli.ts";

/** `npm run trace`, spawned against the SQLite file of a harness that is still running. */
describe("trace CLI", () => {
  let h: Harness;
  let fireId: string;
  let commandId: string;
  beforeAll(async () => {
    h = await startHarness({ listen: true, sweeper: true });
    const user = 4242;
    const t = await paperTrader(h, user);
    await waitFor(async () => await h.ctx.bridge.isOnline(user), 3000, "terminal online");
    const signal = await h.createSignal({ take_profit: [1.089, 1.091] });
    const res = await h.app.inject({
      method: "POST",
      url: "/api/fire",
      headers: { authorization: h.tma(user) },
      payload: { signal_id: signal.id },
    });
    fireId = (res.json() as { fire: { id: string } }).fire.id;
    await waitFor(async () => (await h.store.fires.findFireById(fireId))?.state === "filled", 8000, "filled");
    t.terminal.setPrice("EURUSD", 1.0915, 1.0916); // both take-profits hit
    await waitFor(async () => (await h.store.fires.findFireById(fireId))?.state === "closed", 8000, "closed");
    commandId = (await h.store.fires.findFireById(fireId))!.legs[1]!.id;
    await t.terminal.stop();
  });
  afterAll(async () => {
    await h.close();
  });

  it("prints the signal, the fire, its legs and every event in order, while the server runs", async () => {
    const out = await runTs("server/cli/trace.ts", [fireId], { DATABASE_PATH: h.dbPath });
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    const text = out.stdout;
    expect(text).toContain(`Fire ${fireId}`);
    expect(text).toMatch(/state\s+CLOSED/);
    expect(text).toContain("Legs (2)");
    const types = [...text.matchAll(/^\s+[+-]\d+\.\d{3} s\s+\S+\s+(\S+)/gm)].map((m) => m[1]);
    expect(types).toEqual([
      "signal.created",
      "fire.created",
      "command.queued",
      "command.queued",
      "fire.delivered",
      "command.filled",
      "command.filled",
      "command.closed",
      "command.closed",
    ]);
    expect(text).toContain("retcode=10009");
    expect(text).toMatch(/profit=\d/);
  });

  it("finds the fire from one of its command ids, through npm run trace", async () => {
    const out = await run("npm", ["run", "--silent", "trace", "--", commandId], { DATABASE_PATH: h.dbPath });
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`Fire ${fireId}`);
  });

  it("says so clearly for an unknown id, a missing database and no id", async () => {
    const unknown = await runTs("server/cli/trace.ts", ["f_NOPE"], { DATABASE_PATH: h.dbPath });
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toBe("");
    expect(unknown.stderr).toContain('sortie trace: no fire or command with id "f_NOPE"');
    const missing = await runTs("server/cli/trace.ts", [fireId], { DATABASE_PATH: `${h.dir}/nothing.db` });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/sortie trace: no database at .*nothing\.db/);
    const usage = await runTs("server/cli/trace.ts", [], { DATABASE_PATH: h.dbPath });
    expect(usage.code).toBe(1);
    expect(usage.stderr).toContain("usage: npm run trace -- <fire id | command id>");
  });
});
