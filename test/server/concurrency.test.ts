import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/harness.ts";

describe("POST /api/fire under concurrency", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ listen: true });
  });
  afterAll(() => h.close());

  it("200 users × 5 simultaneous taps on one signal: 200 fires, 200×legs commands, 200 × 202 and 800 × 200 duplicate", async () => {
    const signal = await h.createSignal({ take_profit: [1.087, 1.089] });
    const users = Array.from({ length: 200 }, (_, i) => 10_000 + i);
    for (const id of users) await h.heartbeat(await h.linkBridge(id));
    const taps = users.flatMap((id) => Array.from({ length: 5 }, () => id));
    // Real HTTP, all in flight at once.
    const answers = await Promise.all(
      taps.map(async (id) => {
        const res = await fetch(`${h.url}/api/fire`, {
          method: "POST",
          headers: { authorization: h.tma(id), "content-type": "application/json" },
          body: JSON.stringify({ signal_id: signal.id }),
        });
        return { id, status: res.status, body: (await res.json()) as { fire: { id: string }; duplicate?: boolean } };
      }),
    );
    expect(answers.filter((a) => a.status === 202)).toHaveLength(200);
    const dups = answers.filter((a) => a.status === 200);
    expect(dups).toHaveLength(800);
    expect(dups.every((a) => a.body.duplicate === true)).toBe(true);
    // Every answer for a user carries that user's one fire id.
    const fireOf = new Map<number, Set<string>>();
    for (const a of answers) fireOf.set(a.id, (fireOf.get(a.id) ?? new Set()).add(a.body.fire.id));
    expect([...fireOf.values()].every((ids) => ids.size === 1)).toBe(true);
    const count = async (sql: string) => ((await h.store.query(sql, [signal.id]))[0] as { n: number }).n;
    expect(await count("SELECT COUNT(*) AS n FROM fires WHERE signal_id = ?")).toBe(200);
    expect(
      await count("SELECT COUNT(*) AS n FROM bridge_commands c JOIN fires f ON f.id = c.fire_id WHERE f.signal_id = ?"),
    ).toBe(400);
    const fc = await h.app.inject({
      method: "GET",
      url: `/api/signals/${signal.id}/fire-count`,
      headers: { authorization: h.tma(1) },
    });
    expect(fc.json().count).toBe(200);
  });
});
