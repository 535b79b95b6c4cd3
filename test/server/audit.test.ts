import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signalBody } from "../support/bodies.ts";
import { ADMIN_USER_ID, type Harness, startHarness } from "../support/harness.ts";

const SIGNAL_ADMIN = 950001;
const ANALYST = 960001;
const TRADER = 970001;

describe("roles over HTTP and GET /api/audit", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { SIGNAL_ADMIN_IDS: String(SIGNAL_ADMIN), ANALYST_IDS: String(ANALYST) } });
  });
  afterAll(() => h.close());

  const as = (user: number) => ({ authorization: h.tma(user) });
  const postSignal = (user: number) =>
    h.app.inject({
      method: "POST",
      url: "/api/signals",
      headers: as(user),
      payload: signalBody({ expires_in_min: 30 }),
    });
  const setTier = (user: number) =>
    h.app.inject({ method: "PATCH", url: `/api/users/${TRADER}`, headers: as(user), payload: { tier: "APEX" } });

  it("lets admins create signals, only owners change tiers, analysts read stats only", async () => {
    const created = await postSignal(SIGNAL_ADMIN);
    expect(created.statusCode).toBe(201);
    const byAnalyst = await postSignal(ANALYST);
    expect(byAnalyst.statusCode).toBe(403);
    expect(byAnalyst.json().error.message).toBe("Admin rights required");

    await h.linkBridge(TRADER);
    const tierByAdmin = await setTier(SIGNAL_ADMIN);
    expect(tierByAdmin.statusCode).toBe(403);
    expect(tierByAdmin.json().error.message).toBe("Owner rights required");
    const tierByOwner = await setTier(ADMIN_USER_ID);
    expect(tierByOwner.statusCode).toBe(200);

    const statsByAnalyst = await h.app.inject({
      method: "GET",
      url: `/api/users/${TRADER}/stats`,
      headers: as(ANALYST),
    });
    expect(statsByAnalyst.statusCode).toBe(200);
    const statsByStranger = await h.app.inject({ method: "GET", url: `/api/users/${TRADER}/stats`, headers: as(4242) });
    expect(statsByStranger.statusCode).toBe(403);
  });

  it("lists who did what, newest first, to admins and owners only", async () => {
    const signal = await h.createSignal();
    await h.app.inject({ method: "POST", url: `/api/signals/${signal.id}/cancel`, headers: as(SIGNAL_ADMIN) });

    expect((await h.app.inject({ method: "GET", url: "/api/audit" })).statusCode).toBe(401);
    expect((await h.app.inject({ method: "GET", url: "/api/audit", headers: as(ANALYST) })).statusCode).toBe(403);
    expect((await h.app.inject({ method: "GET", url: "/api/audit", headers: as(TRADER) })).statusCode).toBe(403);
    const bad = await h.app.inject({ method: "GET", url: "/api/audit?limit=0", headers: h.admin });
    expect(bad.statusCode).toBe(400);

    const res = await h.app.inject({ method: "GET", url: "/api/audit?limit=4", headers: as(SIGNAL_ADMIN) });
    expect(res.statusCode).toBe(200);
    const entries = res.json().entries as Array<{ seq: number; type: string; actor: string; signal_id: string }>;
    expect(entries.map((e) => [e.type, e.actor])).toEqual([
      ["signal.cancelled", `tg:${SIGNAL_ADMIN}`],
      ["signal.created", "admin-token"],
      ["admin.tier", `tg:${ADMIN_USER_ID}`],
      ["signal.created", `tg:${SIGNAL_ADMIN}`],
    ]);
    expect(entries[0]!.signal_id).toBe(signal.id);
    expect(entries.map((e) => e.seq)).toEqual([...entries.map((e) => e.seq)].sort((a, b) => b - a));
  });
});
