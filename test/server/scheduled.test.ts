import { afterEach, describe, expect, it } from "vitest";
import { manualClock } from "../../server/clock.ts";
import { createContext } from "../../server/context.ts";
import { startScheduler } from "../../server/scheduler.ts";
import { signalBody } from "../support/bodies.ts";
import { type Harness, HOOK_SECRET, startHarness } from "../support/harness.ts";
import { waitFor } from "../support/wait.ts";

const T0 = Date.parse("2026-11-21T12:00:00.000Z");
const TRADER = 4242;
const iso = (ms: number) => new Date(ms).toISOString();

const body = (overrides: Record<string, unknown> = {}) => signalBody({ expires_in_min: 60, ...overrides });

describe("scheduled signals (publish_at)", () => {
  let h: Harness;
  afterEach(async () => h?.close());

  async function post(payload: Record<string, unknown>) {
    return h.app.inject({ method: "POST", url: "/api/signals", headers: h.admin, payload });
  }
  const listAs = async (who: "trader" | "admin", status = "all") =>
    h.app.inject({
      method: "GET",
      url: `/api/signals?status=${status}`,
      headers: who === "admin" ? h.admin : { authorization: h.tma(TRADER) },
    });

  it("refuses a bad publish_at or an expiry before it, naming the field", async () => {
    const clock = manualClock(T0);
    h = await startHarness({ clock });
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ publish_at: "tomorrow-ish" }, "publish_at", /ISO-8601/],
      [{ publish_at: iso(T0 - 1000) }, "publish_at", /in the future/],
      [{ publish_at: iso(T0 + 7 * 86_400_000 + 1000) }, "publish_at", /7 days/],
      [
        { publish_at: iso(T0 + 3600_000), expires_at: iso(T0 + 1800_000), expires_in_min: undefined },
        "expires_at",
        /after publish_at/,
      ],
      [{ publish_at: iso(T0 + 60_000), stop_loss: 1.09 }, "stop_loss", /below entry/],
    ];
    for (const [overrides, field, message] of cases) {
      const res = await post(body(overrides));
      expect(res.statusCode, JSON.stringify(overrides)).toBe(400);
      expect(res.json().error.code).toBe("BAD_REQUEST");
      expect(res.json().error.message).toMatch(message);
      expect(res.json().error.message).toContain(field);
    }
    expect(await h.store.staged.listPending("scheduled", 10)).toHaveLength(0);
  });

  it("is not public before its moment, and publishes at it, not before (manual clock)", async () => {
    const clock = manualClock(T0);
    h = await startHarness({ clock, scheduler: true });
    const publishAt = T0 + 60_000;
    const res = await post(body({ publish_at: iso(publishAt) }));
    expect(res.statusCode).toBe(201);
    const scheduled = res.json();
    expect(scheduled).toMatchObject({ status: "scheduled", publish_at: iso(publishAt), symbol: "EURUSD" });
    // Expiry counts from publication.
    expect(scheduled.expires_at).toBe(iso(publishAt + 3600_000));

    // Not listed, not readable, no mission, no fire, for a trader; listed for an admin.
    expect((await listAs("trader")).json().signals).toHaveLength(0);
    expect((await listAs("admin")).json().signals).toHaveLength(0);
    expect((await listAs("trader", "scheduled")).statusCode).toBe(403);
    const forAdmin = (await listAs("admin", "scheduled")).json().signals;
    expect(forAdmin).toMatchObject([{ id: scheduled.id, status: "scheduled", publish_in_s: 60 }]);
    const headers = { authorization: h.tma(TRADER) };
    expect((await h.app.inject({ method: "GET", url: `/api/missions/${scheduled.id}`, headers })).statusCode).toBe(404);
    expect((await h.app.inject({ method: "GET", url: `/api/signals/${scheduled.id}`, headers })).statusCode).toBe(404);
    expect((await h.fire(TRADER, scheduled.id)).statusCode).toBe(404);
    const created: string[] = [];
    h.ctx.hub.on("signal.created", ({ signal }) => created.push(signal.id));

    await h.scheduler!.ready;
    clock.set(publishAt - 1);
    expect(await h.scheduler!.publishDue()).toBe(0);
    expect((await listAs("trader")).json().signals).toHaveLength(0);
    expect(created).toEqual([]);

    clock.set(publishAt);
    expect(await h.scheduler!.publishDue()).toBe(1);
    expect(await h.scheduler!.publishDue()).toBe(0);
    const listed = (await listAs("trader", "active")).json().signals;
    expect(listed).toMatchObject([{ id: scheduled.id, status: "active", created_at: iso(publishAt) }]);
    expect((await h.app.inject({ method: "GET", url: `/api/missions/${scheduled.id}`, headers })).statusCode).toBe(200);
    expect(created).toEqual([scheduled.id]);
    expect(await h.store.staged.findStaged(scheduled.id)).toMatchObject({ state: "published", lateness_ms: 0 });
    expect((await listAs("admin", "scheduled")).json().signals).toHaveLength(0);
  });

  it("publishes by its own timer once the moment comes (real time)", async () => {
    // Real time, except that it stands still while the signal is being created: on a loaded
    // machine the request itself may take longer than the lead, and publish_at must be ahead then.
    let frozenMs: number | null = null;
    h = await startHarness({ scheduler: true, clock: { now: () => frozenMs ?? Date.now() } });
    frozenMs = Date.now();
    const publishAt = frozenMs + 1000;
    const res = await post(body({ publish_at: iso(publishAt) }));
    frozenMs = null;
    expect(res.statusCode, res.body).toBe(201);
    const { id } = res.json();
    const published = await waitFor(() => h.store.signals.findSignal(id), 20_000, "the scheduled signal published");
    expect(Date.parse(published.created_at)).toBeGreaterThanOrEqual(publishAt);
    const row = (await h.store.staged.findStaged(id))!;
    expect(row.state).toBe("published");
    expect(row.lateness_ms).toBe(Date.parse(published.created_at) - publishAt);
  });

  it("never publishes twice: two instances on one database, both trying every signal", async () => {
    const clock = manualClock(T0);
    h = await startHarness({ clock });
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push((await post(body({ publish_at: iso(T0 + 1000 + i) }))).json().id);
    // A second instance: its own connection (PostgreSQL: its own pool) to the same database.
    const second = await h.openStore();
    const other = createContext({ store: second, config: h.config, clock });
    clock.set(T0 + 5000);
    let published = 0;
    for (const [i, id] of ids.entries()) {
      const [first, then] = i % 2 === 0 ? [h.ctx, other] : [other, h.ctx];
      // PostgreSQL: both at the same time, each in its own transaction on its own connection; the
      // claim (a conditional UPDATE) lets exactly one through. SQLite (one writer per file): one
      // after the other, alternating who goes first; the second sees the row already claimed.
      const outcomes =
        h.store.engine === "postgres"
          ? await Promise.all([first.staged.publish(id, "a"), then.staged.publish(id, "b")])
          : [await first.staged.publish(id, "a"), await then.staged.publish(id, "b")];
      expect(outcomes.filter((o) => o.published)).toHaveLength(1);
      if (h.store.engine === "sqlite") expect(outcomes.map((o) => o.published)).toEqual([true, false]);
      published += outcomes.filter((o) => o.published).length;
    }
    // And their timers at start find nothing left to publish.
    const a = startScheduler(h.ctx);
    const b = startScheduler(other);
    await Promise.all([a.ready, b.ready]);
    expect((await a.publishDue()) + (await b.publishDue())).toBe(0);
    a.stop();
    b.stop();
    await second.close();
    expect(published).toBe(20);
    expect(await h.store.signals.listSignals("all", clock.now(), 100)).toHaveLength(20);
    const [events] = await h.store.query("SELECT COUNT(*) AS n FROM events WHERE type = 'signal.created'");
    expect(events!.n).toBe(20);
  });

  it("cancel before the moment: it never goes out", async () => {
    const clock = manualClock(T0);
    h = await startHarness({ clock, scheduler: true });
    const { id } = (await post(body({ publish_at: iso(T0 + 10_000) }))).json();
    const cancel = await h.app.inject({ method: "POST", url: `/api/signals/${id}/cancel`, headers: h.admin });
    expect(cancel.statusCode).toBe(200);
    expect(cancel.json()).toMatchObject({ id, status: "cancelled" });
    await h.scheduler!.ready;
    clock.set(T0 + 20_000);
    expect(await h.scheduler!.publishDue()).toBe(0);
    expect(await h.store.signals.findSignal(id)).toBeNull();
    expect((await listAs("admin", "scheduled")).json().signals).toHaveLength(0);
    // Cancelling again answers it as it is.
    const again = await h.app.inject({ method: "POST", url: `/api/signals/${id}/cancel`, headers: h.admin });
    expect(again.json()).toMatchObject({ id, status: "cancelled" });
  });

  it("the webhook schedules too, and the same alert twice is one scheduled signal", async () => {
    const clock = manualClock(T0);
    h = await startHarness({ clock });
    const alert = { ticker: "EURUSD", action: "buy", price: 1.085, sl: 1.083, tp: 1.089, publish_at: iso(T0 + 90_000) };
    const first = await h.app.inject({ method: "POST", url: `/hooks/signal/${HOOK_SECRET}`, payload: alert });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ status: "scheduled", publish_at: iso(T0 + 90_000), source: "webhook" });
    const again = await h.app.inject({ method: "POST", url: `/hooks/signal/${HOOK_SECRET}`, payload: alert });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ id: first.json().id, duplicate: true, status: "scheduled" });
    const keyed = { ...alert, idempotency_key: "tv-1" };
    const k1 = await h.app.inject({ method: "POST", url: `/hooks/signal/${HOOK_SECRET}`, payload: keyed });
    const k2 = await h.app.inject({ method: "POST", url: `/hooks/signal/${HOOK_SECRET}`, payload: keyed });
    expect(k2.json().id).toBe(k1.json().id);
    expect(await h.store.staged.listPending("scheduled", 10)).toHaveLength(2);
    const bad = await h.app.inject({
      method: "POST",
      url: `/hooks/signal/${HOOK_SECRET}`,
      payload: { ...alert, publish_at: "soon" },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain("publish_at");
  });
});
