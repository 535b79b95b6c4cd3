import { describe, expect, it } from "vitest";
import { PROCESS_ADMIN_TOKEN, type ServerProcess } from "../hardening/support/server-process.ts";
import { signalBody } from "../support/bodies.ts";
import { waitFor } from "../support/wait.ts";
import { useTwoInstances } from "./support/two-instances.ts";

const GROUP = -100222;

/**
 * Scheduled signals (issue 15) with two real Sortie processes on one PostgreSQL: both run the
 * scheduler, both timers fire at the same moments, and each signal is published exactly once (the
 * claim is a conditional UPDATE of its staged row), with one alert, whichever instance scheduled it.
 */
describe("scheduled signals with several instances on one PostgreSQL", () => {
  const cluster = useTwoInstances("sortie-cluster-sched-", {
    DATABASE_POOL_SIZE: "4",
    ALERT_CHAT_IDS: String(GROUP),
  });
  const admin = { authorization: `Bearer ${PROCESS_ADMIN_TOKEN}`, "content-type": "application/json" };
  async function schedule(on: ServerProcess, publishAtMs: number): Promise<string> {
    const res = await fetch(`${on.url}/api/signals`, {
      method: "POST",
      headers: admin,
      body: JSON.stringify(signalBody({ expires_in_min: 60, publish_at: new Date(publishAtMs).toISOString() })),
    });
    const body = (await res.json()) as { id: string; status: string };
    expect(res.status, JSON.stringify(body)).toBe(201);
    expect(body.status).toBe("scheduled");
    return body.id;
  }
  const states = async (ids: string[]) =>
    (await cluster.store.query(
      `SELECT id, state FROM staged_signals WHERE id IN (${ids.map(() => "?").join(", ")}) ORDER BY id`,
      ids,
    )) as Array<{ id: string; state: string }>;
  const count = async (sql: string, ids: string[]) =>
    Number((await cluster.store.query(`${sql} IN (${ids.map(() => "?").join(", ")})`, ids))[0]!.n);
  const alertsFor = (ids: string[]) =>
    cluster.telegram
      .callsOf("sendMessage")
      .filter((c) => Number(c.payload.chat_id) === GROUP && ids.some((id) => JSON.stringify(c.payload).includes(id)));

  it("each signal scheduled on A or B is published once, with one alert; one cancelled on the other instance never", async () => {
    // Three shared moments, far enough ahead for 30 requests on a loaded machine: at each, both
    // instances' timers fire and race for the same rows.
    const base = Date.now() + 10_000;
    const ids = await Promise.all(
      Array.from({ length: 30 }, (_, i) => schedule(i % 2 === 0 ? cluster.a : cluster.b, base + (i % 3))),
    );
    // Five of them cancelled through the instance that did not schedule them.
    const cancelled = ids.filter((_, i) => i % 6 === 1);
    for (const id of cancelled) {
      const res = await fetch(`${cluster.a.url}/api/signals/${id}/cancel`, { method: "POST", headers: admin });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { status: string }).status).toBe("cancelled");
    }
    const live = ids.filter((id) => !cancelled.includes(id));

    // The cancelled ones share their moments with the others: once those are out, the timers
    // have been past the cancelled ones too.
    await waitFor(
      async () => (await states(live)).every((row) => row.state === "published"),
      90_000,
      "the scheduled signals published",
    );
    expect((await states(cancelled)).map((row) => row.state)).toEqual(cancelled.map(() => "cancelled"));
    expect(await count("SELECT COUNT(*) AS n FROM signals WHERE id", ids)).toBe(live.length);
    expect(await count("SELECT COUNT(*) AS n FROM events WHERE type = 'signal.created' AND signal_id", ids)).toBe(
      live.length,
    );

    // One alert per published signal in the group (posted by whichever instance runs the bot).
    await waitFor(
      async () =>
        (await count("SELECT COUNT(*) AS n FROM alerts WHERE state = 'posted' AND signal_id", ids)) === live.length,
      // 25 alerts to one group: the outbox keeps to Telegram's 20 a minute per group.
      180_000,
      "the alerts posted",
    );
    expect(alertsFor(live)).toHaveLength(live.length);
    expect(alertsFor(cancelled)).toHaveLength(0);
    // The instance that lost a race saw the row claimed and did nothing: no failed publication
    // (without the claim it would have tried the INSERT too and hit the signal's primary key).
    expect(cluster.a.output() + cluster.b.output()).not.toContain("publishing failed");
  }, 360_000);

  it("a signal scheduled on A is published by B once A has stopped", async () => {
    const id = await schedule(cluster.a, Date.now() + 5_000);
    await cluster.a.stop();
    await waitFor(
      async () => (await states([id]))[0]?.state === "published",
      90_000,
      "B publishing the signal A scheduled",
    );
    expect(await count("SELECT COUNT(*) AS n FROM signals WHERE id", [id])).toBe(1);
    expect(await count("SELECT COUNT(*) AS n FROM events WHERE type = 'signal.created' AND signal_id", [id])).toBe(1);
  });
});
