import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/harness.ts";
import { paperTrader } from "../support/paper.ts";
import { waitFor } from "../support/wait.ts";
import { runTs } from "./support/cli.ts";

/** `npm run trace` shows updates and manage requests in a fire's life. */
describe("trace CLI: trades after entry", () => {
  let h: Harness;
  let fireId: string;
  beforeAll(async () => {
    h = await startHarness({ listen: true });
    const user = 4343;
    const t = await paperTrader(h, user);
    await waitFor(async () => (await h.store.updates.findProtocol(user)) === "1.1", 5000, "terminal on 1.1");
    const signal = await h.createSignal({ take_profit: [1.089, 1.091] });
    fireId = ((await h.fire(user, signal.id)).json() as { fire: { id: string } }).fire.id;
    await waitFor(async () => (await h.store.updates.listOpenPositionsOfFire(fireId)).length === 2, 8000, "filled");
    t.terminal.setPrice("EURUSD", 1.087, 1.0871);
    const update = await h.ctx.updates.create(
      signal.id,
      { action: "breakeven" },
      { source: "api", actor: "admin-token" },
    );
    await waitFor(async () => (await h.store.updates.progress(update.update.id)).applied === 2, 8000, "applied");
    const request = await h.ctx.updates.manage(user, fireId, { action: "close", leg: 2 });
    await waitFor(async () => (await h.store.updates.progress(request.update.id)).applied === 1, 8000, "closed");
    await t.terminal.stop();
  });
  afterAll(async () => {
    await h.close();
  });

  it("lists the update, the request and each position's answer in order", async () => {
    const out = await runTs("server/cli/trace.ts", [fireId], { DATABASE_PATH: h.dbPath });
    expect(out.code).toBe(0);
    const types = [...out.stdout.matchAll(/^\s+[+-]\d+\.\d{3} s\s+\S+\s+(\S+)/gm)].map((m) => m[1]);
    const after = types.slice(types.indexOf("update.queued"));
    expect(after).toEqual(
      expect.arrayContaining(["update.queued", "position.applied", "manage.queued", "command.closed"]),
    );
    expect(types.filter((t) => t === "position.applied")).toHaveLength(3);
    expect(out.stdout).toMatch(/update\.queued\s+\S+\s+update_id=u_\S+ action=breakeven commands=2 skipped=0/);
    expect(out.stdout).toMatch(/manage\.queued\s+\S+\s+update_id=m_\S+ action=close leg=2 commands=1/);
  });
});
